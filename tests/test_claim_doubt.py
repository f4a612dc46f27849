"""A claim whose answer was lost: PostgreSQL committed it, the worker saw a database error.

The row is left `sending` under this process's name. Before, the message that came back found it
"not claimable" and the row waited out its whole lease (worker.engine.doubt).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.stepping import Clock
from worker.engine import journal, scheduler
from worker.engine.broker import broker
from worker.engine.delivery import deliver
from worker.engine.runtime import Runtime, build_runtime
from worker.store import claims, queries
from worker.store.models import PUBLISHED, SENDING, Attempt, Delivery

LATE = dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ)
LEASE = dt.timedelta(seconds=300)


def _queued(tmp_path: Path, url: str) -> tuple[Runtime, int]:
    root = write_config(tmp_path / "config", articles=1, campaigns=[campaign(channels=["website"])])
    rt = build_runtime(root, url, clock=Clock(LATE), outbox=tmp_path / "out")
    scheduler.tick(rt)
    broker.flush_all()
    with rt.sessions() as s:
        return rt, s.scalars(select(Delivery.id).order_by(Delivery.id)).first() or 0


def _answer_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next claim is committed, then its connection fails before the answer is read."""
    real = queries.claim_delivery

    def committed_then_cut(on: Any, *args: Any, **kwargs: Any) -> Any:
        real(on, *args, **kwargs)
        monkeypatch.setattr(queries, "claim_delivery", real)
        raise OperationalError("claim", {}, Exception("server closed the connection"))

    monkeypatch.setattr(queries, "claim_delivery", committed_then_cut)


def _state(rt: Runtime, delivery_id: int) -> tuple[str, int]:
    with rt.sessions() as s:
        row = s.get(Delivery, delivery_id)
        assert row is not None
        attempts = s.scalars(select(Attempt).where(Attempt.delivery_id == delivery_id)).all()
        return row.state, len(attempts)


def test_the_message_that_comes_back_takes_its_own_claim_back_and_publishes_once(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt, delivery_id = _queued(tmp_path, pg_url)
    _answer_lost(monkeypatch)
    with pytest.raises(journal.DB_DOWN):
        deliver(rt, delivery_id)
    assert _state(rt, delivery_id) == (SENDING, 0)  # committed, nobody working on it
    assert deliver(rt, delivery_id) == PUBLISHED  # not "not-claimed" for the next 300 s
    assert _state(rt, delivery_id) == (PUBLISHED, 1)
    assert deliver(rt, delivery_id) == "not-claimed"  # and only once
    rt.close()


def test_a_row_in_flight_here_or_claimed_by_another_process_is_not_taken_back(
    tmp_path: Path, database_url: str
) -> None:
    rt, delivery_id = _queued(tmp_path, database_url)
    rt.doubts.failed(delivery_id)  # an earlier claim of it raised
    with rt.atomic() as c:  # another thread here claimed it meanwhile and is publishing
        assert claims.claim_delivery(c, delivery_id, LATE, LEASE, rt.name) is not None
    rt.doubts.claimed(delivery_id)
    rt.doubts.failed(delivery_id)
    assert deliver(rt, delivery_id) == "not-claimed"
    rt.doubts.done(delivery_id)  # that thread ended without recording (its DB went away)
    other, _ = _queued(tmp_path / "other", database_url)
    other.name = "another-host:1"
    other.doubts.failed(delivery_id)
    assert deliver(other, delivery_id) == "not-claimed"  # someone else's row
    assert _state(rt, delivery_id) == (SENDING, 0)
    assert deliver(rt, delivery_id) == PUBLISHED  # this process's, in doubt, not in flight
    rt.close()
    other.close()
