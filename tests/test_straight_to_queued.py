"""The tick plans rows that need nothing more straight to `queued` and sends them as each chunk
commits: the same rows on SQLite and PostgreSQL, each committed before its message goes, and a
message lost between the commit and the enqueue sent again by the stale-queued sweep."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import func, select

from campaigns.model import TZ
from tests import test_sweeps
from tests.factories import write_config
from tests.stepping import Clock
from tests.test_planning_backends import (
    CAMPAIGNS,
    COLUMNS,
    PUBLISHED,
    TARGETS,
    UNITS,
    column,
    planned_rows,
)
from tests.test_sweeps import portal_runtime
from worker.engine import actors, planner, scheduler
from worker.engine.broker import queue_for
from worker.engine.ingest import ingest_all
from worker.engine.planner import plan
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.engine.straight import Straight
from worker.store import queries
from worker.store.models import AWAITING_APPROVAL, PLANNED, QUEUED, Delivery

REDIS_URL = "redis://127.0.0.1:6379/14"
# Among the items: some published before, some after this moment (due later: left planned).
MID = dt.datetime(2024, 3, 5, 12, 0, tzinfo=TZ)


def plan_straight(rt: Runtime, held: frozenset[str]) -> list[tuple[int, str]]:
    """Plan as the tick does; every row handed to `send` must be committed by then."""
    sent: list[tuple[int, str]] = []

    def send(rows: list[tuple[int, str]]) -> None:
        with rt.sessions() as other:  # another connection sees only what was committed
            ids = [i for i, _ in rows]
            states = other.scalars(select(Delivery.state).where(Delivery.id.in_(ids))).all()
        assert sorted(states) == [QUEUED] * len(rows)
        sent.extend(rows)

    ingest_all(rt, MID, force=True)
    with rt.sessions() as s:
        plan(s, rt.config, MID, straight=Straight(send, held))
        s.commit()
    return sent


@pytest.mark.postgres
def test_due_rows_go_straight_to_queued_alike_on_both_databases_and_are_sent_once_committed(
    tmp_path: Path, sqlite_url: str, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planner, "ROWS_PER_STATEMENT", 5)  # many chunks, many commits
    monkeypatch.setattr(planner, "BATCH", 5)
    made, sent = [], []
    for name, url in (("lite", sqlite_url), ("pg", pg_url)):
        root = write_config(
            tmp_path / name, units=UNITS, targets=TARGETS, campaigns=CAMPAIGNS, published=PUBLISHED
        )
        made.append(build_runtime(root, url, clock=fixed_clock(MID)))
        sent.append(plan_straight(made[-1], frozenset({"sms"})))  # sms in its quiet hours
    lite, pg = made
    rows = planned_rows(pg)
    assert rows == planned_rows(lite)
    states = column(rows, "campaign", "channel", "state", "due_at", "queued_at")
    for name, channel, state, due, queued_at in states:
        if name == "weekly":
            assert state == AWAITING_APPROVAL  # approval first: never queued by planning
        elif due <= MID and channel != "sms":
            assert (state, queued_at) == (QUEUED, MID)
        else:  # due later, or held by quiet hours: promote_due's, as before
            assert (state, queued_at) == (PLANNED, None)
    queued = sum(1 for r in rows if r[COLUMNS.index("state")] == QUEUED)
    assert {k[2] for k in states} == {QUEUED, PLANNED, AWAITING_APPROVAL}
    for rt, rows_sent in zip(made, sent, strict=True):
        with rt.sessions() as s:
            ids = set(s.scalars(select(Delivery.id).where(Delivery.state == QUEUED)))
        assert sorted(i for i, _ in rows_sent) == sorted(ids)  # each queued row sent once
        assert len(ids) == queued
        assert plan_straight(rt, frozenset({"sms"})) == []  # planning again sends nothing
        rt.engine.dispose()


redis_broker = test_sweeps.redis_broker  # the fixture: a RedisBroker of the test's own


@pytest.mark.redis
def test_a_row_planned_straight_to_queued_whose_enqueue_died_is_sent_by_the_stale_sweep(
    tmp_path: Path, pg_url: str, redis_broker: RedisBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ))
    rt = portal_runtime(tmp_path, pg_url, clock, articles=6, grace_seconds=2)
    monkeypatch.setattr(planner, "ROWS_PER_STATEMENT", 20)  # 10 units: two items a chunk
    ingest_all(rt, clock.at)

    def crash(rows: list[tuple[int, str]]) -> int:  # the process dies after the commit
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(scheduler, "enqueue", crash)
    with pytest.raises(ConnectionError):
        scheduler.plan_and_send(rt, clock.at, [])
    messages = f"{redis_broker.namespace}:{queue_for('website')}.msgs"
    client = redis_broker.client
    with rt.sessions() as s:
        lost = s.scalar(select(func.count()).where(Delivery.state == QUEUED))
        total = s.scalar(select(func.count()).select_from(Delivery))
    # The first enqueue's failure shows when the second chunk (committed) is handed over.
    assert lost == total == 40  # two chunks committed queued, their messages never sent
    assert client.hlen(messages) == 0

    monkeypatch.undo()  # Redis is back: the next tick plans the rest and sends it
    monkeypatch.setattr(actors, "broker", redis_broker)
    assert scheduler.plan_and_send(rt, clock.at, []) == (20, 20)
    with rt.sessions.begin() as s:
        assert queries.stale_queued(s, clock.at, dt.timedelta(seconds=2)) == []  # not yet
    clock.advance(3)
    assert scheduler.resend_lost(rt, clock.at) == 40  # only the lost ones: the rest are held
    assert client.hlen(messages) == 60  # one message per delivery
    assert scheduler.resend_lost(rt, clock.at + dt.timedelta(seconds=3)) == 0
