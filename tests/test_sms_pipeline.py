"""SMS end to end: loa plans, Kannel sends through its fake SMSC, DLRs reach our endpoint."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.kannel_gateway import PASSWORD, USERNAME, running_kannel, wait_until
from worker.engine.embedded import run_once
from worker.engine.runtime import build_runtime, fixed_clock
from worker.store.models import PUBLISHED, Delivery, SmsReport
from worker.web.callbacks import create_callbacks

pytestmark = pytest.mark.kannel
NOW = dt.datetime(2024, 3, 1, 9, 0, tzinfo=TZ)


@pytest.fixture
def callbacks_server() -> Iterator[tuple[str, list[object]]]:
    holder: list[object] = []  # the app is made once the runtime exists

    def app(environ: dict[str, object], start_response: object) -> object:
        return holder[0](environ, start_response)  # type: ignore[operator]

    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", holder
    finally:
        server.shutdown()


def test_an_sms_campaign_reaches_every_subscriber_and_each_dlr_marks_them_delivered(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    callbacks_server: tuple[str, list[object]],
) -> None:
    base, holder = callbacks_server
    monkeypatch.setenv("LOA_KANNEL_USER", USERNAME)
    monkeypatch.setenv("LOA_KANNEL_PASSWORD", PASSWORD)
    (tmp_path / "kannel").mkdir()
    with running_kannel(tmp_path / "kannel") as kannel:
        target = {
            "unit": "bien-hoa",
            "kind": "sms",
            "transport": "kannel",
            "endpoint": kannel.sendsms_url,
            "credentials": {"username": "LOA_KANNEL_USER", "password": "LOA_KANNEL_PASSWORD"},
            "options": {
                "recipients": "recipients/subs.csv",
                "dlr_url": f"{base}/dlr/kannel",
                "max_segments": 3,
            },
        }
        root = write_config(
            tmp_path / "config",
            targets=[target],
            articles=1,
            campaigns=[campaign(channels=["sms"])],
        )
        rt = build_runtime(
            root,
            f"sqlite:///{tmp_path / 'loa.db'}",
            clock=fixed_clock(NOW),
            outbox=tmp_path / "outbox",
        )
        holder.append(create_callbacks(rt))
        run_once(rt, threads=2)
        with rt.sessions() as s:
            d = s.scalars(select(Delivery)).one()
        assert d.state == PUBLISHED and d.recipients == 2
        for number in ("84912000001", "84987000002"):
            parts = sorted(kannel.wait_for(number, parts=d.segments), key=lambda r: r.part)
            text = "".join(r.text("ucs2") for r in parts)
            assert text.startswith("[UBND Thành phố Biên Hòa] 10/01 Ầm ầm cải cách hành chính")

        def delivered() -> bool:
            with rt.sessions() as s:
                rows = list(s.scalars(select(SmsReport)))
            return sorted((r.recipient, r.state) for r in rows) == [
                ("84912000001", "delivered"),
                ("84987000002", "delivered"),
            ]

        wait_until(delivered, 15, "a delivered report for each recipient")
