"""Every valid SMS subscriber gets a delivery exactly once through faults, on a real Kannel.

Counted from what reached Kannel's fake SMSC (its log), not from what loa thinks it sent.
A worker killed with SIGKILL mid-campaign, then `loa retry`: tests/test_sms_crash.py (real
processes).
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from campaigns.model import TZ
from campaigns.periods import parse_period
from tests.factories import campaign, write_config
from tests.kannel_gateway import (
    MO_FROM,
    PASSWORD,
    USERNAME,
    KannelGateway,
    running_kannel,
    wait_until,
)
from tests.stepping import Clock, step
from worker.engine import progress
from worker.engine.runtime import Runtime, build_runtime
from worker.reports.report import build_report
from worker.store.models import PUBLISHED, RETRYING, SENDING, Delivery, SmsReport
from worker.web.callbacks import create_callbacks

pytestmark = pytest.mark.kannel

START = dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ)
VALID = [f"0912{i:06d}" for i in range(500)]
OPTED_OUT = VALID[-5:]


@pytest.fixture(scope="module")
def kannel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KannelGateway]:
    with running_kannel(Path(tmp_path_factory.mktemp("kannel-once"))) as gateway:
        yield gateway


@pytest.fixture
def callbacks() -> Iterator[tuple[str, list[object]]]:
    """Our delivery-report endpoint on a free port; the test puts the app in the list."""
    holder: list[object] = []

    def app(environ: dict[str, object], start_response: object) -> object:
        return holder[0](environ, start_response)  # type: ignore[operator]

    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", holder
    finally:
        server.shutdown()


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_TEST_KANNEL_USER", USERNAME)
    monkeypatch.setenv("LOA_TEST_KANNEL_PASSWORD", PASSWORD)


def sms_runtime(
    tmp_path: Path,
    url: str,
    kannel: KannelGateway,
    clock: Clock,
    settings: dict[str, Any] | None = None,
    **options: Any,
) -> Runtime:
    target = {
        "unit": "bien-hoa",
        "kind": "sms",
        "transport": "kannel",
        "endpoint": kannel.sendsms_url,
        "credentials": {"username": "LOA_TEST_KANNEL_USER", "password": "LOA_TEST_KANNEL_PASSWORD"},
        "options": {"recipients": "recipients/subs.csv", "max_batch": 50, **options},
    }
    root = write_config(
        tmp_path / "config",
        targets=[target],
        campaigns=[campaign(channels=["sms"])],
        articles=1,
        published=[START - dt.timedelta(hours=1)],
        settings=settings,
    )
    (root / "recipients" / "optout.txt").write_text("\n".join(OPTED_OUT) + "\n", "utf-8")
    lines = ["phone", *VALID, "12345", "not a number", VALID[0], VALID[1]]
    (root / "recipients" / "subs.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return build_runtime(root, url, clock=clock, outbox=tmp_path / "outbox")


def parts_by(kannel: KannelGateway, since: int) -> collections.Counter[tuple[str, int]]:
    """How often each (receiver, part number) reached the fake SMSC, from message `since` on."""
    got = [r for r in kannel.received()[since:] if r.receiver != MO_FROM]
    return collections.Counter((r.receiver, r.part[0]) for r in got)


def once_each(
    kannel: KannelGateway, since: int, segments: int, numbers: set[str] | None = None
) -> None:
    """Every number meant (every valid one by default) got every part once, nobody else any."""
    numbers = expected() if numbers is None else numbers
    want = len(numbers) * segments
    wait_until(lambda: sum(parts_by(kannel, since).values()) >= want, 30, f"{want} parts")
    got = parts_by(kannel, since)
    assert {n for n, _ in got} == numbers
    assert {p for _, p in got} == set(range(1, segments + 1))
    twice = [key for key, count in got.items() if count > 1]
    assert not twice, f"{len(twice)} parts sent twice, e.g. {twice[:3]}"


def only(rt: Runtime) -> Delivery:
    with rt.sessions() as s:
        [row] = s.scalars(select(Delivery))
    return row


def expected() -> set[str]:
    return {"84" + n[1:] for n in VALID}


def test_a_send_whose_claim_is_taken_away_stops_after_the_batch_in_hand(
    tmp_path: Path, sqlite_url: str, kannel: KannelGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker claimed the row after our first batch: the write before the second batch
    (the first one's answer and the second one's numbers) finds the claim gone, so nothing more
    is posted and nothing recorded: the row keeps the first batch `posting`, which the holder
    settles from delivery reports."""
    since = len(kannel.received())
    rt = sms_runtime(tmp_path, sqlite_url, kannel, Clock(START))
    answer = progress.BatchLog.__call__

    def taken_after_one(self: progress.BatchLog, sent: Any, unsure: Any, posting: Any = ()) -> None:
        if self.answers == 1:
            with rt.sessions.begin() as s:
                row = s.get(Delivery, self.delivery_id)
                assert row is not None
                row.claims += 1
        answer(self, sent, unsure, posting)

    monkeypatch.setattr(progress.BatchLog, "__call__", taken_after_one)
    assert step(rt) == ["lost-claim"]
    row = only(rt)
    first = {"84" + n[1:] for n in VALID[:50]}
    assert row.state == SENDING and row.attempts == 0
    assert "sent" not in row.progress and set(row.progress["posting"]) == first
    wait_until(lambda: {n for n, _ in parts_by(kannel, since)} >= first, 10, "the first batch")
    assert {n for n, _ in parts_by(kannel, since)} == first


def reports_for(rt: Runtime, numbers: list[str]) -> int:
    with rt.sessions() as s:
        query = select(func.count()).where(SmsReport.recipient.in_(numbers))
        return int(s.scalar(query.select_from(SmsReport)) or 0)


def test_a_gateway_stalled_past_the_read_timeout_reaches_each_number_once(
    tmp_path: Path,
    sqlite_url: str,
    kannel: KannelGateway,
    callbacks: tuple[str, list[object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """smsbox is SIGSTOPped after 3 batches of 50, longer than the 2 s read timeout, then
    SIGCONT: the 4th batch is unsure. Kannel 1.4.5 drops a request whose client has gone, so no
    report comes for those 50; the next attempt sends the others and waits for reports until the
    settle window ends; the one after sends the 50 once more. Opted-out numbers get nothing."""
    since = len(kannel.received())
    clock = Clock(START)
    base, holder = callbacks
    settings = {
        "sms_settle_seconds": 600,
        "channels": {"sms": {"retry": {"attempts": 5, "first_delay": 30, "jitter": 0}}},
    }
    rt = sms_runtime(
        tmp_path,
        sqlite_url,
        kannel,
        clock,
        settings,
        timeout=[1.0, 2.0],
        dlr_url=base + "/dlr/kannel",
        allow_http=True,
        optout="recipients/optout.txt",
    )
    holder.append(create_callbacks(rt))
    answer = progress.BatchLog.__call__
    smsbox = kannel.pids["smsbox"]

    def stall_after_three(
        self: progress.BatchLog, sent: Any, unsure: Any, posting: Any = ()
    ) -> None:
        answer(self, sent, unsure, posting)
        if self.answers == 3:
            os.kill(smsbox, signal.SIGSTOP)

    monkeypatch.setattr(progress.BatchLog, "__call__", stall_after_three)
    try:
        assert step(rt) == [RETRYING]
    finally:
        os.kill(smsbox, signal.SIGCONT)
    monkeypatch.setattr(progress.BatchLog, "__call__", answer)
    row = only(rt)
    assert len(row.progress["sent"]) == 150 and len(row.progress["unsure"]) == 50
    unsure = list(row.progress["unsure"])

    clock.advance(60)  # the retry is due, inside the settle window: the others go, 50 wait
    assert step(rt) == [RETRYING]
    row = only(rt)
    assert len(row.progress["sent"]) == 445 and row.progress["unsure"] == unsure
    assert "waiting for delivery reports" in (row.reason or "")
    wanted = expected() - {"84" + n[1:] for n in OPTED_OUT}
    others = wanted - set(unsure)
    wait_until(lambda: {n for n, _ in parts_by(kannel, since)} >= others, 30, "the other 295")
    # Kannel 1.4.5 either drops the request whose client left or, when it had read it before
    # it froze, sends it on waking: then each of those numbers' reports comes back.
    time.sleep(2)
    had = {n for n, _ in parts_by(kannel, since)} & set(unsure)
    assert had in (set(), set(unsure))
    wait_until(lambda: reports_for(rt, unsure) >= len(had), 30, "reports for the woken batch")

    clock.advance(600)  # the window is over: reported numbers count as sent, the rest go once
    assert step(rt) == [PUBLISHED]
    done = only(rt)
    assert set(done.progress["sent"]) == wanted and "unsure" not in done.progress
    assert done.progress.get("resent", []) == ([] if had else unsure)
    assert done.recipients == len(wanted)
    once_each(kannel, since, done.segments, wanted)
    with rt.sessions() as s:  # the report's parts are what the fake SMSC received
        sms = build_report(s, rt.config, parse_period("2024")).sms["bien-hoa"]
    assert (sms.recipients, sms.sent) == (len(wanted), sum(parts_by(kannel, since).values()))
    print(f"stalled batch {'sent by Kannel on waking' if had else 'dropped by Kannel, resent'}")
