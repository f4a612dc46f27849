"""Due rows become queued messages: queries.promote_due and scheduler.dispatch_due."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests.factories import create_delivery, create_item, write_config
from worker.engine import actors, scheduler
from worker.engine.broker import QUEUES
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.store import queries
from worker.store.models import (
    AWAITING_APPROVAL,
    PLANNED,
    PUBLISHED,
    QUEUED,
    RETRYING,
    Delivery,
)

NOW = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
EARLIER = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)


def minutes(n: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=n)


@pytest.fixture
def rt(tmp_path: Path, database_url: str) -> Runtime:
    return build_runtime(
        write_config(tmp_path / "config"), database_url, clock=fixed_clock(NOW), outbox=tmp_path
    )


@pytest.fixture
def pg(tmp_path: Path, pg_url: str) -> Runtime:
    return build_runtime(
        write_config(tmp_path / "config"), pg_url, clock=fixed_clock(NOW), outbox=tmp_path
    )


def add(s: Session, rows: list[tuple[str, dt.datetime, str]]) -> list[int]:
    """(state, due, channel) rows, one item each; returns their ids in the order given."""
    ids = []
    for n, (state, due, channel) in enumerate(rows):
        item = create_item(s, key=f"item:{n}:{uuid.uuid4().hex}")
        d = create_delivery(
            s,
            item,
            state=state,
            due_at=due,
            channel=channel,
            target=f"so-noi-vu/{channel}",
            attempts=0,
            claims=0,
            created_at=EARLIER,
            updated_at=EARLIER,
        )
        ids.append(d.id)
    return ids


def states(rt: Runtime) -> dict[int, tuple[str, dt.datetime | None, dt.datetime]]:
    with rt.sessions() as s:
        rows = s.execute(
            select(Delivery.id, Delivery.state, Delivery.queued_at, Delivery.updated_at)
        )
        return {r.id: (r.state, r.queued_at, r.updated_at) for r in rows}


@pytest.fixture
def mixed(rt: Runtime) -> dict[str, int]:
    """Due and not-due rows in every relevant state, created out of due order."""
    named = {
        "a": (PLANNED, minutes(-1), "website"),
        "b": (PLANNED, minutes(-10), "sms"),
        "c": (RETRYING, minutes(-5), "facebook"),
        "d": (PLANNED, minutes(-10), "website"),  # same due time as b: after it, by id
        "future": (PLANNED, minutes(1), "website"),
        "awaiting": (AWAITING_APPROVAL, minutes(-20), "website"),
        "queued": (QUEUED, minutes(-30), "sms"),
        "done": (PUBLISHED, minutes(-40), "website"),
        "now": (RETRYING, NOW, "zalo"),  # due exactly now counts as due
    }
    with rt.sessions.begin() as s:
        ids = add(s, list(named.values()))
    return dict(zip(named, ids, strict=True))


def promote(rt: Runtime, **kwargs: Any) -> list[tuple[int, str]]:
    with rt.sessions.begin() as s:
        return queries.promote_due(s, NOW, **kwargs)


def test_promote_due_queues_the_due_rows_and_returns_them_in_due_order(
    rt: Runtime, mixed: dict[str, int]
) -> None:
    before = states(rt)
    got = promote(rt)
    assert got == [
        (mixed["b"], "sms"),
        (mixed["d"], "website"),
        (mixed["c"], "facebook"),
        (mixed["a"], "website"),
        (mixed["now"], "zalo"),
    ]
    after = states(rt)
    promoted = {i for i, _ in got}
    for i in promoted:
        assert after[i] == (QUEUED, NOW, NOW)
    assert {i: after[i] for i in after if i not in promoted} == {
        i: before[i] for i in before if i not in promoted
    }
    assert promote(rt) == []  # queued rows are not promoted again


def test_promote_due_takes_at_most_limit_rows_and_the_next_call_goes_on_in_due_order(
    rt: Runtime, mixed: dict[str, int]
) -> None:
    batches = [promote(rt, limit=2) for _ in range(4)]
    assert [[i for i, _ in batch] for batch in batches] == [
        [mixed["b"], mixed["d"]],
        [mixed["c"], mixed["a"]],
        [mixed["now"]],
        [],
    ]


def test_promote_due_leaves_the_rows_of_held_channels_planned(
    rt: Runtime, mixed: dict[str, int]
) -> None:
    assert promote(rt, held=["website", "zalo"]) == [(mixed["b"], "sms"), (mixed["c"], "facebook")]
    after = states(rt)
    assert after[mixed["a"]][0] == after[mixed["d"]][0] == PLANNED
    assert after[mixed["now"]][0] == RETRYING


@pytest.mark.postgres
def test_a_second_promoter_skips_the_rows_another_is_promoting_instead_of_waiting(
    pg: Runtime,
) -> None:
    with pg.sessions.begin() as s:
        add(s, [(PLANNED, minutes(-i), "website") for i in range(1, 11)])
    with pg.sessions() as first, pg.sessions() as second:
        mine = queries.promote_due(first, NOW, limit=5)  # its transaction stays open
        # Without SKIP LOCKED this would wait for the first; fail fast instead of hanging.
        second.execute(text("SET LOCAL lock_timeout = '3s'"))
        theirs = queries.promote_due(second, NOW, limit=5)
        first.commit()
        second.commit()
    assert len(mine) == len(theirs) == 5
    assert not {i for i, _ in mine} & {i for i, _ in theirs}
    assert {s for s, _, _ in states(pg).values()} == {QUEUED}


@pytest.mark.postgres
def test_concurrent_promoters_on_postgresql_never_return_the_same_row(pg: Runtime) -> None:
    total = 600
    with pg.sessions.begin() as s:
        add(s, [(PLANNED, minutes(-(i % 50)), "website") for i in range(total)])
    barrier = threading.Barrier(4)
    got: list[list[int]] = [[] for _ in range(4)]

    def promoter(mine: list[int]) -> None:
        barrier.wait()
        while batch := promote(pg, limit=7):
            mine += [i for i, _ in batch]

    threads = [threading.Thread(target=promoter, args=(mine,)) for mine in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for mine in got for i in mine]
    assert len(every) == len(set(every)) == total
    assert sum(1 for mine in got if mine) > 1  # they did run side by side


class Sent:
    def __init__(self, broker: StubBroker) -> None:
        self.broker = broker

    def ids(self) -> list[int]:
        messages = [
            dramatiq.Message.decode(body)
            for queue in QUEUES.values()
            for body in self.broker.queues[queue].queue
        ]
        return [m.args[0] for m in messages]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sent]:
    """A private stub broker as the process broker, to count what dispatch_due enqueues."""
    broker = StubBroker()
    for queue in QUEUES.values():
        broker.declare_queue(queue)
    monkeypatch.setattr(actors, "broker", broker)
    yield Sent(broker)
    broker.close()


@pytest.mark.parametrize("due", [28, 30])  # a multiple of the batch, and not
def test_dispatch_due_drains_every_due_row_in_batches_in_one_call(
    rt: Runtime, sent: Sent, monkeypatch: pytest.MonkeyPatch, due: int
) -> None:
    monkeypatch.setattr(scheduler, "PROMOTE_BATCH", 7)
    rows = [(PLANNED, minutes(-1 - i % 4), "website") for i in range(due)]
    rows += [(PLANNED, minutes(5), "website")] * 3 + [(PLANNED, minutes(-1), "sms")] * 2
    with rt.sessions.begin() as s:
        ids = add(s, rows)
    assert scheduler.dispatch_due(rt, NOW, ["sms"]) == due
    assert sorted(sent.ids()) == ids[:due]
    after = states(rt)
    assert [after[i][0] for i in ids] == [QUEUED] * due + [PLANNED] * 5


def test_dispatch_due_stops_at_its_time_budget_and_the_next_call_goes_on(
    rt: Runtime, sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "PROMOTE_BATCH", 7)
    with rt.sessions.begin() as s:
        ids = add(s, [(PLANNED, minutes(-1), "website")] * 30)
    assert scheduler.dispatch_due(rt, NOW, [], budget=0.0) == 7  # one batch, then out of time
    assert sorted(sent.ids()) == ids[:7]
    assert [s for s, _, _ in states(rt).values()].count(QUEUED) == 7
    assert scheduler.dispatch_due(rt, NOW, []) == 23
    assert sorted(sent.ids()) == ids


def ids_of(batch: list[tuple[int, str]]) -> list[int]:
    return [i for i, _ in batch]


def test_promote_due_takes_newly_due_rows_first_and_the_oldest_backlog_in_every_batch(
    rt: Runtime,
) -> None:
    with rt.sessions.begin() as s:
        old = add(s, [(PLANNED, minutes(-60 - i), "website") for i in range(6)])[::-1]
        new = add(s, [(PLANNED, minutes(-3 + i), "website") for i in range(3)])
    since = minutes(-5)
    batches = [ids_of(promote(rt, limit=4, recent_since=since)) for _ in range(4)]
    # At most half a batch is newly due while old rows wait; each kind in due order.
    assert batches == [new[:2] + old[:2], new[2:] + old[2:5], old[5:], []]


def test_promote_due_fills_a_batch_with_newly_due_rows_once_the_backlog_is_out(
    rt: Runtime,
) -> None:
    with rt.sessions.begin() as s:
        old = add(s, [(PLANNED, minutes(-60), "website")])
        new = add(s, [(RETRYING, minutes(-4 + i), "website") for i in range(4)])
    since = minutes(-5)
    # Full, so dispatch_due goes on: a short batch would mean nothing else is due.
    assert ids_of(promote(rt, limit=4, recent_since=since)) == new[:3] + old
    assert ids_of(promote(rt, limit=4, recent_since=since)) == new[3:]


class Ticking:
    """A clock one minute further on every time it is read: each batch of dispatch_due reads
    it once, so a batch's `queued_at` says which batch it was."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start - dt.timedelta(minutes=1)

    def __call__(self) -> dt.datetime:
        self.at += dt.timedelta(minutes=1)
        return self.at


def batches(rt: Runtime) -> dict[dt.datetime, set[int]]:
    """The queued rows by the batch that queued them."""
    got: dict[dt.datetime, set[int]] = {}
    for i, (state, queued_at, _) in states(rt).items():
        if state == QUEUED and queued_at is not None:
            got.setdefault(queued_at, set()).add(i)
    return dict(sorted(got.items()))


def test_dispatch_due_queues_rows_falling_due_during_a_drain_in_the_next_batch(
    rt: Runtime, sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "PROMOTE_BATCH", 4)
    with rt.sessions.begin() as s:
        old = add(s, [(PLANNED, minutes(-90 + i), "website") for i in range(12)])
        new = add(s, [(PLANNED, minutes(m), "website") for m in (1, 2, 2, 3)])
    rt.clock = Ticking(NOW)  # batch k runs at minutes(k)
    assert scheduler.dispatch_due(rt, NOW, []) == 16
    by_batch = batches(rt)
    assert list(by_batch) == [minutes(k) for k in range(4)]
    # Each new row went in the first batch that ran after it fell due...
    assert [by_batch[minutes(k)] & set(new) for k in range(4)] == [
        set(),
        {new[0]},
        {new[1], new[2]},
        {new[3]},
    ]
    # ... while the old backlog took the rest of every batch, oldest first.
    assert [sorted(by_batch[minutes(k)] & set(old)) for k in range(4)] == [
        old[:4],
        old[4:7],
        old[7:9],
        old[9:],
    ]
    # Enqueued as promoted: a batch's new rows before its old ones.
    assert sent.ids() == old[:4] + new[:1] + old[4:7] + new[1:3] + old[7:9] + new[3:] + old[9:]


def test_dispatch_due_holds_a_channel_whose_quiet_hours_begin_during_the_drain(
    rt: Runtime, sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "PROMOTE_BATCH", 2)
    start = dt.datetime(2024, 3, 1, 14, 58, tzinfo=dt.UTC)  # 21:58 in Vietnam; SMS quiet at 22:00

    def at(m: int) -> dt.datetime:
        return start + dt.timedelta(minutes=m)

    with rt.sessions.begin() as s:
        old = add(s, [(PLANNED, at(-90 + i), "website") for i in range(6)])
        sms_before, sms_quiet, web = add(
            s, [(PLANNED, at(1), "sms"), (PLANNED, at(2), "sms"), (PLANNED, at(2), "website")]
        )
    rt.clock = Ticking(start)
    assert scheduler.dispatch_due(rt, start, []) == 8
    by_batch = batches(rt)
    assert by_batch[at(1)] == {sms_before, old[2]}
    assert by_batch[at(2)] == {web, old[3]}
    after = states(rt)
    assert after[sms_quiet][0] == PLANNED  # the next tick defers it to 07:00
    assert sms_quiet not in sent.ids()
