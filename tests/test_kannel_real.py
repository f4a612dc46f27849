"""KannelTransport against a real Kannel 1.4.5: what reaches the SMSC is what we meant to send."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from campaigns.model import Target
from channels.base import Message
from channels.dlr import DlrEvent, merge_state, parse_kannel_dlr
from channels.errors import PermanentError
from channels.kannel import KannelTransport
from channels.smstext import count_segments, strip_diacritics
from tests.fakes.base import FakeServer, Handler, Request, Response
from tests.kannel_gateway import PASSWORD, USERNAME, KannelGateway, running_kannel, wait_until

pytestmark = pytest.mark.kannel

VI = "Cải cách hành chính Đồng Nai: nộp hồ sơ trực tuyến"
NOTICE = (
    "Thong bao: tu ngay 01/07 nguoi dan Dong Nai nop ho so truc tuyen tai "
    "dichvucong.dongnai.gov.vn, nhan ket qua tai nha qua buu dien. Moi thac mac xin goi "
    "tong dai 1022 hoac den bo phan mot cua cap xa gan nhat de duoc huong dan tan tinh."
)


class Reports(FakeServer):
    """Our side of the DLR callback: answers 200 and keeps what Kannel sent."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("GET", "/dlr", lambda request: Response(200, "ok"))]

    def events(self) -> list[DlrEvent]:
        return [parse_kannel_dlr(flat(r)) for r in list(self.requests) if r.path == "/dlr"]


def flat(request: Request) -> dict[str, str]:
    return {key: values[0] for key, values in request.query.items()}


@pytest.fixture(scope="module")
def kannel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KannelGateway]:
    with running_kannel(Path(tmp_path_factory.mktemp("kannel"))) as gateway:
        yield gateway


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANNEL_USER", USERNAME)
    monkeypatch.setenv("KANNEL_PASSWORD", PASSWORD)


def send(kannel: KannelGateway, text: str, encoding: str, *to: str, **options: Any) -> None:
    target = Target(
        id="real-kannel",
        unit="so-noi-vu",
        kind="sms",
        transport="kannel",
        endpoint=kannel.sendsms_url,
        credentials={"username": "KANNEL_USER", "password": "KANNEL_PASSWORD"},
        options={"timeout": (2.0, 5.0), **options},
    )
    KannelTransport(target).publish(
        Message(kind="sms", title="", text=text, encoding=encoding, recipients=to, delivery_id=5)
    )


def test_vietnamese_arrives_intact_as_ucs2(kannel: KannelGateway) -> None:
    send(kannel, VI, "ucs2", "84911000001")
    [got] = kannel.wait_for("84911000001")
    assert got.kind == "ucs-2" and got.text("ucs2") == VI


def test_khong_dau_arrives_as_gsm7_in_the_parts_we_counted(kannel: KannelGateway) -> None:
    text = strip_diacritics(VI) + " [1022] {dichvucong} €0 ~ ^ | \\"
    send(kannel, text, "gsm7", "84911000002")
    got = kannel.wait_for("84911000002")
    assert len(got) == count_segments(text, "gsm7") == 1
    assert got[0].kind == "text" and got[0].text("gsm7") == text


def test_a_200_character_gsm_text_arrives_whole_in_two_parts(kannel: KannelGateway) -> None:
    text = NOTICE[:200]
    assert len(text) == 200 and count_segments(text, "gsm7") == 2
    send(kannel, text, "gsm7", "84911000003")
    got = sorted(kannel.wait_for("84911000003", parts=2), key=lambda r: r.part)
    assert [r.part for r in got] == [(1, 2), (2, 2)]
    assert [len(r.payload) for r in got] == [153, 47]
    assert "".join(r.text("gsm7") for r in got) == text


def test_a_long_vietnamese_text_arrives_whole_in_ucs2_parts(kannel: KannelGateway) -> None:
    text = f"{VI}. {VI}"
    assert count_segments(text, "ucs2") == 2
    send(kannel, text, "ucs2", "84911000004")
    got = sorted(kannel.wait_for("84911000004", parts=2), key=lambda r: r.part)
    assert [len(r.payload) // 2 for r in got] == [67, len(text) - 67]
    assert "".join(r.text("ucs2") for r in got) == text


def test_delivery_reports_come_back_delivered_for_each_recipient(kannel: KannelGateway) -> None:
    numbers = ("84911000005", "84911000006", "84911000007")
    reports = Reports()
    with reports.running():
        send(
            kannel,
            strip_diacritics(VI),
            "gsm7",
            *numbers,
            dlr_url=f"{reports.url}/dlr",
            max_batch=2,
        )

        def states() -> dict[str, str]:
            merged: dict[str, str] = {}
            for event in reports.events():
                assert event.delivery_id == 5 and event.smsc_id == "FAKE"
                merged[event.recipient] = merge_state(merged.get(event.recipient), event.state)
            return merged

        wait_until(lambda: states() == dict.fromkeys(numbers, "delivered"), 10, "DLRs")
        wait_until(lambda: len(reports.events()) == 6, 5, "the SMSC-accepted DLRs")
    assert sorted(e.status_code for e in reports.events()) == [1, 1, 1, 8, 8, 8]


def test_a_wrong_password_is_refused_for_good(
    kannel: KannelGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KANNEL_PASSWORD", "not-the-password")
    with pytest.raises(PermanentError, match="Authorization failed for sendsms") as caught:
        send(kannel, VI, "ucs2", "84911000008")
    assert "not-the-password" not in str(caught.value)


def test_an_extension_character_at_a_part_boundary_moves_whole_to_the_next_part(
    kannel: KannelGateway,
) -> None:
    text = "a" * 152 + "€" + "b" * 10  # 164 septets; the escape pair would straddle part 1
    assert count_segments(text, "gsm7") == 2
    send(kannel, text, "gsm7", "84911000009")
    got = sorted(kannel.wait_for("84911000009", parts=2), key=lambda r: r.part)
    assert [r.text("gsm7") for r in got] == ["a" * 152, "€" + "b" * 10]
