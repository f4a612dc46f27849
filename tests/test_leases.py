"""Leases outlive a slow publish; reconciliation is fenced; the scheduler lock lasts a tick."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from channels.base import Message, Receipt
from channels.outbox import OutboxTransport
from tests.factories import campaign, write_config
from tests.stepping import Clock
from worker.engine import scheduler
from worker.engine.broker import broker
from worker.engine.delivery import deliver
from worker.engine.ingest import IngestResult
from worker.engine.lease import LeaseKeeper
from worker.engine.liveness import acquire_lock
from worker.engine.runtime import Runtime, build_runtime
from worker.store import queries
from worker.store.models import PUBLISHED, SENDING, UNCERTAIN, Delivery

LATE = dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ)  # every article of the default config is due


def setup(
    tmp_path: Path, url: str, clock: Clock, settings: dict[str, Any] | None = None
) -> tuple[Runtime, list[int]]:
    root = write_config(
        tmp_path / "config",
        articles=1,
        campaigns=[campaign(channels=["website"])],
        settings=settings,
    )
    rt = build_runtime(root, url, clock=clock, outbox=tmp_path / "outbox")
    scheduler.tick(rt)
    broker.flush_all()
    with rt.sessions() as s:
        ids = list(s.scalars(select(Delivery.id).order_by(Delivery.id)))
    return rt, ids


def row(rt: Runtime, delivery_id: int) -> Delivery:
    with rt.sessions() as s:
        found = s.get(Delivery, delivery_id)
        assert found is not None
        return found


def test_a_publish_slower_than_the_lease_is_not_reconciled_while_it_runs(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(LATE)
    rt, ids = setup(tmp_path, database_url, clock, {"lease_seconds": 3})
    started, finish = threading.Event(), threading.Event()
    original = OutboxTransport.publish

    def slow(self: OutboxTransport, message: Message) -> Receipt:
        started.set()
        assert finish.wait(30)
        return original(self, message)

    monkeypatch.setattr(OutboxTransport, "publish", slow)
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(deliver, rt, ids[0])
        assert started.wait(10)
        clock.advance(60)  # far past the 3 s lease the claim was given
        time.sleep(1.5)  # the lease is renewed every lease/3 seconds while the publish runs
        assert row(rt, ids[0]).lease_until > clock.at  # type: ignore[operator]
        assert scheduler.reconcile_expired_leases(rt, clock.at) == []
        assert row(rt, ids[0]).state == SENDING
        finish.set()
        assert running.result(timeout=10) == PUBLISHED
    done = row(rt, ids[0])
    assert (done.state, done.lease_until) == (PUBLISHED, None)


def test_a_reconciliation_write_with_a_stale_claim_changes_nothing(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(LATE)
    rt, ids = setup(tmp_path, database_url, clock, {"lease_seconds": 30})
    first = ids[0]
    with rt.sessions.begin() as s:
        assert queries.claim_delivery(s, first, clock.at, dt.timedelta(seconds=30), "dead:1")
    clock.advance(31)

    def meanwhile(rt: Runtime, d: Delivery, *_: Any) -> dict[str, object]:
        # While the sweep looked the post up, the row was given back and claimed again by a
        # live worker: same claim number (a release gives the claim back), a fresh lease.
        with rt.sessions.begin() as s:
            assert queries.release(s, d.id, d.claims, clock.at, clock.at)
            assert queries.promote_due(s, clock.at) == [(d.id, d.channel)]
            assert queries.claim_delivery(s, d.id, clock.at, dt.timedelta(seconds=30), "live:2")
        return {"state": UNCERTAIN, "reason": "worker died while sending"}

    monkeypatch.setattr(scheduler, "_verdict", meanwhile)
    assert scheduler.reconcile_expired_leases(rt, clock.at) == []
    kept = row(rt, first)
    assert (kept.state, kept.worker) == (SENDING, "live:2")
    assert kept.lease_until == clock.at + dt.timedelta(seconds=30)

    # The write itself: an older claim number, or a lease that no longer ran out, is refused.
    later = clock.at + dt.timedelta(hours=1)
    with rt.sessions.begin() as s:
        assert not queries.settle_expired(s, first, kept.claims - 1, later, state=UNCERTAIN)
        assert not queries.settle_expired(s, first, kept.claims, clock.at, state=UNCERTAIN)
    assert row(rt, first).state == SENDING
    with rt.sessions.begin() as s:  # the current claim, its lease run out: the write goes in
        assert queries.settle_expired(s, first, kept.claims, later, state=UNCERTAIN)
    assert row(rt, first).state == UNCERTAIN


def test_the_scheduler_lock_is_renewed_while_a_tick_waits_on_feeds(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(LATE)
    rt, _ = setup(tmp_path, sqlite_url, clock)
    rt.config = dataclasses.replace(rt.config, settings={**rt.config.settings, "lock_seconds": 1})
    other = dataclasses.replace(rt, name="other-host:1")
    feeds, done = threading.Event(), threading.Event()

    def slow_feeds(rt: Runtime, now: dt.datetime) -> list[IngestResult]:
        feeds.set()
        assert done.wait(30)
        return []

    monkeypatch.setattr(scheduler, "ingest_all", slow_feeds)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ticking = pool.submit(scheduler.tick, rt)
        assert feeds.wait(10)
        time.sleep(1.6)  # longer than the lock's 1 s: without renewal it would be free
        assert not acquire_lock(other, ttl=1)
        done.set()
        assert not ticking.result(timeout=10).standby


def test_one_renewer_thread_keeps_every_held_lease_and_notices_a_claim_taken_away(
    tmp_path: Path,
) -> None:
    clock = Clock(LATE)
    rt, ids = setup(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}", clock)
    lease = dt.timedelta(seconds=0.6)  # renewed every 0.2 s
    claims = []
    for delivery_id in ids[:2]:
        with rt.sessions.begin() as s:
            got = queries.claim_delivery(s, delivery_id, clock.at, lease, rt.name)
        assert got is not None
        claims.append(got.claim)
    first = LeaseKeeper(rt, ids[0], claims[0], lease)
    second = LeaseKeeper(rt, ids[1], claims[1], lease)
    with first, second:
        clock.advance(3600)  # renewals write the clock's now + lease
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(
            row(rt, i).lease_until == clock.at + lease for i in ids[:2]
        ):
            time.sleep(0.05)
        assert [row(rt, i).lease_until for i in ids[:2]] == [clock.at + lease] * 2
        # one renewer for both, with one thread, not a thread per delivery
        assert rt.leases is not None and len(rt.leases.held) == 2
        assert rt.leases._thread is not None and rt.leases._thread.is_alive()
        assert not [t for t in threading.enumerate() if t.name.startswith("loa-lease-")]
        with rt.sessions.begin() as s:  # the sweep gave the second row to someone else
            assert queries.set_state(s, ids[1], [SENDING], state=UNCERTAIN)
        while time.monotonic() < deadline and not second.lost:
            time.sleep(0.05)
        assert (first.lost, second.lost) == (False, True)
    assert row(rt, ids[1]).state == UNCERTAIN  # a lost claim is never renewed back
