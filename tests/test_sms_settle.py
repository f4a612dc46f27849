"""SMS numbers a gateway may have (no answer in time) are settled by delivery reports, a settle
window, then one resend or an operator; `loa retry`/`resolve` act per recipient; `loa show`
counts recipients by state."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from campaigns.periods import parse_period
from channels.dlr import sign
from tests.factories import campaign, write_config
from tests.fakes.base import Response
from tests.fakes.smsbox import FakeSmsbox, answer
from tests.stepping import Clock, step
from worker import actions
from worker.cli.main import main
from worker.engine.runtime import Runtime, build_runtime
from worker.reports.report import build_report
from worker.store import progress as stored
from worker.store.filters import Filters
from worker.store.models import PUBLISHED, RETRYING, UNCERTAIN, Delivery
from worker.store.secrets import dlr_key
from worker.web.callbacks import create_callbacks

START = dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ)
NUMBERS = [f"09120000{i:02d}" for i in range(6)]
INTL = ["84" + n[1:] for n in NUMBERS]
ACCEPTED = "0: Accepted for delivery"


@pytest.fixture
def smsbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSmsbox]:
    monkeypatch.setenv("LOA_TEST_KANNEL_USER", "tester")
    monkeypatch.setenv("LOA_TEST_KANNEL_PASSWORD", "foobar")
    fake = FakeSmsbox()
    with fake.running():
        yield fake


def make(tmp_path: Path, url: str, fake: FakeSmsbox, clock: Clock, **settings: Any) -> Runtime:
    target = {
        "unit": "bien-hoa",
        "kind": "sms",
        "transport": "kannel",
        "endpoint": fake.url + "/cgi-bin/sendsms",
        "credentials": {"username": "LOA_TEST_KANNEL_USER", "password": "LOA_TEST_KANNEL_PASSWORD"},
        "options": {
            "recipients": "recipients/subs.csv",
            "max_batch": 2,
            "timeout": [1, 0.5],
            "dlr_url": "http://127.0.0.1:9/dlr/kannel",
            "allow_http": True,
        },
    }
    root = write_config(
        tmp_path / "config",
        targets=[target],
        campaigns=[campaign(channels=["sms"])],
        articles=1,
        published=[START - dt.timedelta(hours=1)],
        settings={
            "sms_settle_seconds": 600,
            "channels": {"sms": {"retry": {"attempts": 5, "first_delay": 30, "jitter": 0}}},
            **settings,
        },
    )
    (root / "recipients" / "subs.csv").write_text("phone\n" + "\n".join(NUMBERS) + "\n", "utf-8")
    return build_runtime(root, url, clock=clock, outbox=tmp_path / "outbox")


def only(rt: Runtime) -> Delivery:
    with rt.sessions() as s:
        [row] = s.scalars(select(Delivery))
    return row


def stall_second_batch(rt: Runtime, fake: FakeSmsbox) -> list[str]:
    """First batch accepted, the second never answered in time: returns the unsure numbers."""
    fake.then(answer(202, ACCEPTED), Response(202, ACCEPTED, delay=1.5))
    assert step(rt) == [RETRYING]
    row = only(rt)
    assert row.progress["unsure"] == INTL[2:4] and row.progress["unsure_at"]
    return list(row.progress["unsure"])


def report(rt: Runtime, number: str, status: int) -> None:
    row = only(rt)
    client = create_callbacks(rt).test_client()
    with rt.sessions.begin() as s:
        sig = sign(dlr_key(s), row.id)
    got = client.get(f"/dlr/kannel?delivery={row.id}&to={number}&status={status}&sig={sig}")
    assert got.status_code == 200


def sent_to(fake: FakeSmsbox) -> list[str]:
    return sorted(m.to for m in fake.sent)


def test_each_batch_costs_one_progress_write_made_before_it_is_posted(
    tmp_path: Path, sqlite_url: str, smsbox: FakeSmsbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three batches, three writes: each stores the answers so far and the numbers about to
    go, before they go (the fake has seen one request fewer); the last answer goes with the
    outcome."""
    rt = make(tmp_path, sqlite_url, smsbox, Clock(START))
    writes: list[tuple[int, dict[str, Any]]] = []
    real = stored.record_progress

    def counted(session: Any, delivery_id: int, claim: int, progress: Any, *rest: Any) -> bool:
        writes.append((len(smsbox.requests), dict(progress)))
        return real(session, delivery_id, claim, progress, *rest)

    monkeypatch.setattr(stored, "record_progress", counted)
    assert step(rt) == [PUBLISHED]
    assert writes == [
        (0, {"posting": INTL[0:2]}),
        (1, {"sent": INTL[0:2], "posting": INTL[2:4]}),
        (2, {"sent": INTL[0:4], "posting": INTL[4:6]}),
    ]
    done = only(rt)
    assert done.progress == {"sent": INTL} and done.recipients == 6 and len(smsbox.requests) == 3


def test_unsure_numbers_with_a_report_count_as_sent_and_are_never_resent(
    tmp_path: Path, sqlite_url: str, smsbox: FakeSmsbox
) -> None:
    clock = Clock(START)
    rt = make(tmp_path, sqlite_url, smsbox, clock)
    unsure = stall_second_batch(rt, smsbox)
    for number in unsure:
        report(rt, number, 8)  # the SMSC took it: the gateway had the batch after all
    clock.advance(60)
    assert step(rt) == [PUBLISHED]
    done = only(rt)
    assert done.progress["sent"] == INTL and "unsure" not in done.progress
    assert not set(unsure) & set(sent_to(smsbox))
    assert done.recipients == 6


def test_unsure_numbers_without_a_report_wait_the_window_then_are_resent_once(
    tmp_path: Path, sqlite_url: str, smsbox: FakeSmsbox
) -> None:
    clock = Clock(START)
    rt = make(tmp_path, sqlite_url, smsbox, clock)
    unsure = stall_second_batch(rt, smsbox)
    clock.advance(60)
    assert step(rt) == [RETRYING]  # the others are sent; the two wait for reports
    waiting = only(rt)
    assert "waiting for delivery reports" in (waiting.reason or "")
    assert sent_to(smsbox) == INTL[4:]
    clock.advance(300)
    assert step(rt) == []  # not due before the window ends
    clock.advance(300)
    assert step(rt) == [PUBLISHED]
    assert sent_to(smsbox) == sorted(INTL[4:] + unsure)
    assert only(rt).progress["resent"] == unsure


def test_hold_leaves_unreported_numbers_to_an_operator_and_retry_sends_only_to_them(
    tmp_path: Path, sqlite_url: str, smsbox: FakeSmsbox
) -> None:
    clock = Clock(START)
    rt = make(tmp_path, sqlite_url, smsbox, clock, sms_unsure="hold")
    unsure = stall_second_batch(rt, smsbox)
    report(rt, unsure[0], 1)  # one of the two is reported delivered
    clock.advance(700)  # past the window
    assert step(rt) == [UNCERTAIN]
    held = only(rt)
    assert held.progress["unsure"] == unsure[1:] and "operator decides" in (held.reason or "")
    assert sent_to(smsbox) == INTL[4:]
    with rt.sessions.begin() as s:
        assert actions.retry(s, [held.id], Filters(), clock()).changed == [held.id]
    assert step(rt) == [PUBLISHED]
    assert sent_to(smsbox) == sorted(INTL[4:] + unsure[1:])  # never the accepted or reported
    assert only(rt).progress["sent"] == INTL


def test_resolve_published_counts_reported_numbers_and_keeps_the_rest_unsure(
    tmp_path: Path, sqlite_url: str, smsbox: FakeSmsbox
) -> None:
    clock = Clock(START)
    rt = make(tmp_path, sqlite_url, smsbox, clock, sms_unsure="hold")
    unsure = stall_second_batch(rt, smsbox)
    clock.advance(700)
    assert step(rt) == [UNCERTAIN]
    report(rt, unsure[1], 2)  # a late report: the phone could not be reached
    with rt.sessions.begin() as s:
        actions.resolve(s, only(rt).id, True, clock())
    row = only(rt)
    assert row.state == PUBLISHED and row.progress["unsure"] == unsure[:1]
    assert row.recipients == 5


def test_show_counts_recipients_by_state_and_lists_numbers(
    tmp_path: Path,
    sqlite_url: str,
    smsbox: FakeSmsbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock(START)
    rt = make(tmp_path, sqlite_url, smsbox, clock)
    unsure = stall_second_batch(rt, smsbox)
    report(rt, INTL[0], 1)
    report(rt, INTL[1], 2)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    row = only(rt)
    assert main(["--config", str(tmp_path / "config"), "show", str(row.id), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sms"]["counts"] == {
        "delivered": 1,
        "failed": 1,
        "accepted": 0,
        "unsure": 2,
        "never sent": 2,
    }
    assert data["reports"] == {"delivered": 1, "failed": 1, "pending": 0}
    assert main(["--config", str(tmp_path / "config"), "jobs", "--json"]) == 0
    [job] = json.loads(capsys.readouterr().out)
    assert job["reports"] == {"delivered": 1, "failed": 1, "pending": 0}
    with rt.sessions() as s:  # the SMS section: accepted so far, and what the reports say
        sms = build_report(s, rt.config, parse_period("2024")).sms["bien-hoa"]
    assert (sms.recipients, sms.delivered, sms.failed) == (2, 1, 1)
    argv = ["report", "--period", "2024", "--format", "csv", "--section", "sms", "--lang", "en"]
    assert main(["--config", str(tmp_path / "config"), *argv]) == 0
    csv = capsys.readouterr().out
    assert "Reported delivered,Reported failed" in csv
    assert [line for line in csv.splitlines() if line.endswith(",1,2,3,6,1,1")], csv
    assert main(["--config", str(tmp_path / "config"), "show", str(row.id), "--numbers"]) == 0
    out = capsys.readouterr().out
    assert "delivered 1, failed 1, accepted 0, unsure 2, never sent 2" in out
    assert f"unsure (2): {' '.join(unsure)}" in out
    assert f"never sent (2): {' '.join(INTL[4:])}" in out
