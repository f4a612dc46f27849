"""The stale-queued sweep re-sends only lost messages; a retry runs on time, not behind a queue."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import select

from campaigns.model import TZ
from channels.base import Message, Receipt
from channels.errors import TransientError
from channels.outbox import OutboxTransport
from tests.factories import campaign, write_config
from tests.services import need, port_open
from tests.stepping import Clock
from worker.engine import actors, embedded, runtime, scheduler
from worker.engine.broker import QUEUES, RETRY_QUEUES, broker, queue_for
from worker.engine.delivery import deliver
from worker.engine.runtime import Runtime, build_runtime
from worker.store.models import PUBLISHED, Attempt, Delivery

REDIS_URL = "redis://127.0.0.1:6379/14"
LATE = dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ)
UNITS = [{"code": f"xa-{i:02d}", "name": f"UBND xã số {i}", "kind": "commune"} for i in range(10)]


def portal_runtime(
    tmp_path: Path, url: str, clock: Clock, articles: int, units: int = 10, **settings: object
) -> Runtime:
    root = write_config(
        tmp_path / "config",
        units=UNITS[:units],
        articles=articles,
        targets=[{"units": "all", "kind": "website", "transport": "outbox"}],
        campaigns=[campaign(channels=["website"])],
        settings=dict(settings),
    )
    return build_runtime(root, url, clock=clock, outbox=tmp_path / "outbox")


@pytest.fixture
def redis_broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisBroker]:
    """A RedisBroker of the test's own (its own namespace) standing in for the process broker."""
    need(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    namespace = f"loa-test-{uuid.uuid4().hex[:8]}"
    private = RedisBroker(url=REDIS_URL, namespace=namespace)  # type: ignore[no-untyped-call]
    for queue in (*QUEUES.values(), *RETRY_QUEUES.values()):
        private.declare_queue(queue)
    monkeypatch.setattr(actors, "broker", private)
    yield private
    private.close()
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{namespace}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.mark.redis
def test_a_healthy_run_of_n_deliveries_sends_exactly_n_messages(
    tmp_path: Path, pg_url: str, redis_broker: RedisBroker
) -> None:
    clock = Clock(LATE)
    rt = portal_runtime(tmp_path, pg_url, clock, articles=12, grace_seconds=2)
    consumer = redis_broker.consume(queue_for("website"), prefetch=8, timeout=200)
    received = 0
    scheduler.tick(rt)
    try:
        while True:
            batch = [m for m in (next(consumer) for _ in range(8)) if m is not None]
            if not batch:
                break
            # The queue drains slower than the grace period: every tick meanwhile finds rows
            # queued for longer than grace_seconds, their messages waiting or fetched (unacked).
            clock.advance(5)
            scheduler.tick(rt)
            for message in batch:
                received += 1
                deliver(rt, int(message.args[0]))
                consumer.ack(message)
    finally:
        consumer.close()
    with rt.sessions() as s:
        states = list(s.scalars(select(Delivery.state)))
    assert len(states) == 120
    assert states == [PUBLISHED] * 120
    assert received == 120  # one message per delivery, none sent again

    # A message Redis really lost is sent again once the grace period has passed.
    client = redis_broker.client
    with rt.sessions.begin() as s:
        lost = s.scalars(select(Delivery).order_by(Delivery.id)).first()
        assert lost is not None
        lost.state, lost.queued_at = "queued", clock.at
    assert client.hlen(f"{redis_broker.namespace}:{queue_for('website')}.msgs") == 0
    clock.advance(3)
    assert scheduler.resend_lost(rt, clock.at) == 1
    assert scheduler.resend_lost(rt, clock.at + dt.timedelta(seconds=3)) == 0  # it is held now


def test_a_two_second_backoff_is_attempted_on_time_behind_a_long_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    origin = time.monotonic()
    clock = lambda: LATE + dt.timedelta(seconds=time.monotonic() - origin)  # noqa: E731
    retry = {"attempts": 3, "first_delay": 2, "cap": 60, "jitter": 0}
    rt = portal_runtime(
        tmp_path,
        f"sqlite:///{tmp_path / 'loa.db'}",
        clock,  # type: ignore[arg-type]
        articles=40,
        units=2,
        channels={"website": {"retry": retry}},
    )
    failed_once: set[int] = set()
    original = OutboxTransport.publish

    def portal(self: OutboxTransport, message: Message) -> Receipt:
        time.sleep(0.15)
        if message.delivery_id == 1 and not failed_once:
            failed_once.add(1)
            raise TransientError("503 from the portal")
        return original(self, message)

    monkeypatch.setattr(OutboxTransport, "publish", portal)
    broker.flush_all()
    runtime.install(rt)
    worker = embedded.start_worker(threads=2)
    try:
        scheduler.tick(rt)  # 80 rows queued: ~6 s of publishing on two threads
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.5)
            scheduler.tick(rt)  # the scheduler keeps ticking as it does in production
            with rt.sessions() as s:
                done = s.scalars(select(Delivery.state).where(Delivery.state != PUBLISHED)).all()
            if not done:
                break
    finally:
        worker.stop()
        runtime.install(None)
    with rt.sessions() as s:
        tries = list(s.scalars(select(Attempt).order_by(Attempt.started_at)))
    first, second = [a for a in tries if a.delivery_id == 1]
    assert first.finished_at is not None
    last_of_backlog = max(a.started_at for a in tries if a.delivery_id != 1)
    waited = (second.started_at - first.finished_at).total_seconds()
    backlog = (last_of_backlog - first.finished_at).total_seconds()
    print(f"2 s back-off attempted after {waited:.2f} s; the backlog ran {backlog:.2f} s more")
    assert 2 <= waited <= 3.5
    assert backlog > waited  # the retry did not wait behind the queue


def _fetched_by(client: redis.Redis, ns: str, worker: str, beat_ms: int, queue: str) -> None:
    """What a dramatiq worker's fetch leaves in Redis: the ids move from the queue's list to
    the worker's ack set (the message bodies stay in the queue's hash), with its heartbeat."""
    ids = client.lrange(f"{ns}:{queue}", 0, -1)
    client.delete(f"{ns}:{queue}")
    client.sadd(f"{ns}:__acks__.{worker}.{queue}", *ids)
    client.zadd(f"{ns}:__heartbeats__", {worker: beat_ms})


def test_a_message_fetched_by_a_worker_that_stopped_heartbeating_is_not_held(
    redis_broker: RedisBroker,
) -> None:
    client, ns, queue = redis_broker.client, redis_broker.namespace, queue_for("website")
    actors.enqueue([(11, "website"), (12, "website")])
    assert actors.held_deliveries() == {11, 12}  # waiting in the queue
    now = int(time.time() * 1000)
    _fetched_by(client, ns, "alive", now, queue)
    assert actors.held_deliveries() == {11, 12}  # fetched by a worker that still beats
    client.zadd(f"{ns}:__heartbeats__", {"alive": now - actors.SILENT_WORKER_MS - 1000})
    # killed: dramatiq would give these back only after its 60 s timeout, so they are lost to us
    assert actors.held_deliveries() == set()
