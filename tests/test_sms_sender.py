"""Who an SMS says it is from, and the short link that saves a part."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from campaigns.config import load_config
from campaigns.model import TZ, Item, Target, Unit
from channels import shortlink
from channels.base import Context
from channels.errors import ConfigurationError
from channels.registry import make_transport
from channels.sms import SmsFormat
from channels.smstext import count_segments
from tests.fakes.base import FakeServer, Handler, Request, Response

EXAMPLE = Path(__file__).resolve().parent.parent / "config"
LONG_LINK = "https://sonoivu.dongnai.gov.vn/tin-tuc/cai-cach-hanh-chinh/2024/03/huong-dan-thanh-toan-phi-le-phi-truc-tuyen-tren-cong-dich-vu-cong-quoc-gia"
SHORT = "https://bienhoa.dongnai.gov.vn/?p=1234"
ITEM = Item(
    "dvc:1",
    "article",
    "Thanh toán phí, lệ phí trực tuyến trên Cổng dịch vụ công",
    link=LONG_LINK,
    published=dt.datetime(2024, 3, 12, 8, 0, tzinfo=TZ),
)
BIEN_HOA = Unit("bien-hoa", "UBND Thành phố Biên Hòa", "district", short_name="UBND TP Biên Hòa")


def sms(unit: Unit = BIEN_HOA, context: Context | None = None, **options: object) -> str:
    target = Target(
        f"{unit.code}/sms",
        unit.code,
        "sms",
        "outbox",
        options={"diacritics": False, "max_segments": 2, **options},
    )
    message = SmsFormat().format(ITEM, unit, target, context=context or Context())
    assert message.segments == count_segments(message.text, message.encoding)
    assert message.segments <= int(str(target.options["max_segments"]))
    return message.text


def test_each_district_of_the_example_signs_its_own_sms() -> None:
    config = load_config(EXAMPLE)
    starts = {}
    for target in config.targets.values():
        if target.kind == "sms":
            unit = config.units[target.unit]
            starts[unit.code] = SmsFormat().format(ITEM, unit, target).text.split("]")[0] + "]"
    assert starts["bien-hoa"] == "[UBND TP Bien Hoa]"
    assert starts["cam-my"] == "[UBND H. Cam My]"
    assert len(set(starts.values())) == len(starts) == 11
    assert not any("Dong Nai" in s for s in starts.values())


def test_without_a_short_name_the_unit_name_signs() -> None:
    plain = Unit("tan-phong", "UBND phường Tân Phong", "commune")
    assert sms(plain).startswith("[UBND phuong Tan Phong] 12/03 ")


def test_a_target_prefix_wins_and_unit_stands_for_the_short_name() -> None:
    assert sms(prefix="Cong DVC").startswith("[Cong DVC] ")
    assert sms(prefix="{unit} - CCHC").startswith("[UBND TP Bien Hoa - CCHC] ")


def test_the_sender_counts_in_the_parts_so_a_long_one_shortens_the_title() -> None:
    title = (
        "Hướng dẫn nộp hồ sơ, thanh toán phí và nhận kết quả thủ tục hành chính tại nhà"
        " qua dịch vụ bưu chính công ích"
    )
    long_title = Item("dvc:3", "article", title, link="https://bienhoa.gov.vn/a/1")
    texts = []
    for prefix in ("BH", "Uy ban nhan dan thanh pho Bien Hoa"):
        options = {"diacritics": False, "max_segments": 1, "prefix": prefix}
        target = Target("bien-hoa/sms", "bien-hoa", "sms", "outbox", options=options)
        message = SmsFormat().format(long_title, BIEN_HOA, target)
        assert message.segments == count_segments(message.text) == 1
        assert message.text.startswith(f"[{prefix}] ") and message.text.endswith(
            " https://bienhoa.gov.vn/a/1"
        )
        texts.append(message.text)
    brief, wordy = (t.split("] ", 1)[1].split("...")[0] for t in texts)
    assert brief.startswith(wordy) and len(brief) > len(wordy)  # the sender's room is the title's


def test_a_short_link_is_used_when_it_saves_a_part() -> None:
    long = sms()
    shortened = sms(context=Context(short_link=SHORT))
    assert count_segments(long) == 2 and long.endswith(LONG_LINK)
    assert count_segments(shortened) == 1 and shortened.endswith(" " + SHORT)
    assert "Thanh toan phi, le phi truc tuyen tren Cong dich vu cong" in shortened


def test_a_short_link_that_saves_nothing_leaves_the_articles_own_link() -> None:
    brief = Item("dvc:2", "article", "Lịch tiếp dân", link="https://bienhoa.gov.vn/a/1")
    target = Target("bien-hoa/sms", "bien-hoa", "sms", "outbox", options={"diacritics": False})
    text = SmsFormat().format(brief, BIEN_HOA, target, context=Context(short_link=SHORT)).text
    assert text.endswith(" https://bienhoa.gov.vn/a/1")


def test_the_site_short_link_is_the_wordpress_post_id() -> None:
    site = Target(
        "bien-hoa/website", "bien-hoa", "website", "wordpress", "https://bienhoa.dongnai.gov.vn/"
    )
    outbox = Target("bien-hoa/website", "bien-hoa", "website", "outbox")
    assert shortlink.site_link(site, "1234") == SHORT
    assert shortlink.site_link(outbox, "outbox:bien-hoa/website/7.html") is None


@pytest.mark.parametrize("value", ["yes", "ftp://s.vn/api", 3])
def test_a_wrong_short_link_option_is_refused_where_targets_are_built(value: object) -> None:
    target = Target("bien-hoa/sms", "bien-hoa", "sms", "outbox", options={"short_link": value})
    with pytest.raises(ConfigurationError, match=r"bien-hoa/sms: options\.short_link"):
        make_transport(target, outbox=Path("outbox"))


class Shortener(FakeServer):
    """A link shortener: POST {"url"} -> {"short_url"}; a bearer token when one is set."""

    token = "tok-123"

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/api/rut-gon", self.shorten)]

    def shorten(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Response(401, {"error": "unauthorized"})
        return Response(
            201, {"short_url": "https://s.dongnai.gov.vn/Ab12", "long": request.json()["url"]}
        )


@pytest.fixture(scope="module")
def shortener() -> Iterator[Shortener]:
    fake = Shortener()
    with fake.running():
        yield fake


def test_a_shortener_gives_its_link(shortener: Shortener, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_SHORTENER_TOKEN", Shortener.token)
    endpoint = f"{shortener.url}/api/rut-gon"
    target = Target(
        "b/sms",
        "b",
        "sms",
        "outbox",
        credentials={"shortener_token": "LOA_SHORTENER_TOKEN"},
        options={"short_link": endpoint},
    )
    with requests.Session() as session:
        assert (
            shortlink.shortened(session, target, endpoint, LONG_LINK)
            == "https://s.dongnai.gov.vn/Ab12"
        )
    assert shortener.requests[-1].json() == {"url": LONG_LINK}


def test_a_shortener_that_refuses_leaves_the_long_link(
    shortener: Shortener, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = f"{shortener.url}/api/rut-gon"
    target = Target("b/sms", "b", "sms", "outbox", options={"short_link": endpoint})
    with requests.Session() as session:
        assert shortlink.shortened(session, target, endpoint, LONG_LINK) is None
    assert "no short link, the SMS keeps the long one" in caplog.text and "HTTP 401" in caplog.text
