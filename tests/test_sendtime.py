"""Quiet hours checked when a row is sent, and errors classified: config problems fail the row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from channels.base import Message, Receipt
from channels.errors import ConfigurationError, TransientError
from channels.outbox import OutboxTransport
from channels.recipients import RecipientsError
from tests.factories import campaign, write_config
from tests.stepping import Clock, step
from worker.engine import scheduler
from worker.engine.broker import broker
from worker.engine.delivery import deliver
from worker.engine.runtime import Runtime, build_runtime
from worker.store import queries
from worker.store.models import FAILED, PUBLISHED, QUEUED, RETRYING, SENDING, UNCERTAIN, Delivery

SMS = {
    "unit": "bien-hoa",
    "kind": "sms",
    "transport": "outbox",
    "options": {"recipients": "recipients/subs.csv"},
}


def setup(tmp_path: Path, clock: Clock, kind: str = "sms") -> tuple[Runtime, Path]:
    targets: list[dict[str, Any]] | None = [SMS] if kind == "sms" else None
    root = write_config(
        tmp_path / "config", targets=targets, campaigns=[campaign(channels=[kind])], articles=1
    )
    rt = build_runtime(
        root, f"sqlite:///{tmp_path / 'loa.db'}", clock=clock, outbox=tmp_path / "out"
    )
    return rt, root


def rows(rt: Runtime) -> list[Delivery]:
    with rt.sessions() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def sent(tmp_path: Path) -> list[Path]:
    out = tmp_path / "out"
    return [p for p in out.rglob("*") if p.is_file()] if out.exists() else []


def test_a_backlog_queued_before_quiet_hours_waits_for_the_morning_at_send_time(
    tmp_path: Path,
) -> None:
    clock = Clock(dt.datetime(2024, 12, 30, 21, 59, tzinfo=TZ))
    rt, _ = setup(tmp_path, clock)
    scheduler.tick(rt)  # promoted and queued at 21:59, outside the window
    broker.flush_all()
    (row,) = rows(rt)
    assert row.state == QUEUED
    clock.at = dt.datetime(2024, 12, 30, 22, 30, tzinfo=TZ)  # the worker gets to it at 22:30
    assert deliver(rt, row.id) == RETRYING
    (held,) = rows(rt)
    assert held.next_attempt_at == dt.datetime(2024, 12, 31, 7, 0, tzinfo=TZ)
    assert held.due_at == row.due_at  # the report period stays
    assert (held.attempts, held.claims) == (0, 0)  # no attempt spent
    assert "quiet hours" in (held.reason or "")
    assert sent(tmp_path) == []
    clock.at = dt.datetime(2024, 12, 31, 6, 59, tzinfo=TZ)
    assert step(rt) == []
    clock.at = dt.datetime(2024, 12, 31, 7, 0, tzinfo=TZ)
    assert step(rt) == [PUBLISHED]


def test_a_missing_recipients_file_fails_the_delivery_with_the_reason(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ))
    rt, root = setup(tmp_path, clock)
    scheduler.tick(rt)
    broker.flush_all()
    (root / "recipients" / "subs.csv").unlink()
    (row,) = rows(rt)
    assert deliver(rt, row.id) == FAILED
    (failed,) = rows(rt)
    assert "subs.csv" in (failed.reason or "")
    assert "configuration" in (failed.reason or "")


def test_a_transport_that_cannot_be_built_fails_the_delivery_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ))
    rt, _ = setup(tmp_path, clock, kind="website")
    scheduler.tick(rt)
    broker.flush_all()

    def broken(self: OutboxTransport, message: Message) -> Receipt:
        raise ConfigurationError("option 'path' must be a folder")

    monkeypatch.setattr(OutboxTransport, "publish", broken)
    first = rows(rt)[0]
    assert deliver(rt, first.id) == FAILED
    assert "option 'path' must be a folder" in (rows(rt)[0].reason or "")


@pytest.mark.parametrize(
    ("error", "state", "reason"),
    [
        (ConfigurationError("bad endpoint"), FAILED, "bad endpoint"),
        (RecipientsError("cannot read recipients/subs.csv"), FAILED, "subs.csv"),
        (RuntimeError("a bug"), UNCERTAIN, "RuntimeError: a bug"),
        (TransientError("portal timed out"), SENDING, None),
    ],
)
def test_a_lookup_that_raises_is_classified_not_left_sending_forever(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    state: str,
    reason: str | None,
) -> None:
    clock = Clock(dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ))
    rt, _ = setup(tmp_path, clock, kind="website")
    scheduler.tick(rt)
    broker.flush_all()
    first = rows(rt)[0]
    with rt.sessions.begin() as s:  # a worker claims it and dies
        assert queries.claim_delivery(s, first.id, clock.at, dt.timedelta(seconds=60), "dead:1")
    clock.advance(301)

    def lookup(self: OutboxTransport, message: Message) -> Receipt | None:
        raise error

    monkeypatch.setattr(OutboxTransport, "lookup", lookup)
    scheduler.reconcile_expired_leases(rt, clock.at)
    row = next(r for r in rows(rt) if r.id == first.id)
    assert row.state == state
    assert str(error) in (row.last_error or "")
    if reason is not None:
        assert reason in (row.reason or "")
    else:  # a passing failure: looked up again on the next sweep
        clock.advance(10)
        with rt.sessions() as s:
            assert [d.id for d in queries.expired_leases(s, clock.at)] == [first.id]
