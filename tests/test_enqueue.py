"""Enqueue: more than one pipeline's worth of deliveries, on a real RedisBroker and on the stub.

Each broker is private to the test (its own Redis namespace, removed afterwards) and stands in
for the process broker, so `actors.enqueue` takes the path it takes in production for it.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any, cast

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from tests.services import need, port_open
from worker.engine import actors
from worker.engine.broker import QUEUES, queue_for

REDIS_URL = "redis://127.0.0.1:6379/0"
CHANNELS = ["website", "sms", "facebook", "zalo", "screen"]
N = 2 * actors.PIPELINE_BATCH + 345  # two full pipelines and a partly filled third


class Seen(dramatiq.Middleware):
    """What dramatiq's enqueue hooks were shown, in order."""

    def __init__(self) -> None:
        self.before: list[dramatiq.Message[Any]] = []
        self.after: list[dramatiq.Message[Any]] = []

    def before_enqueue(self, broker: dramatiq.Broker, message: Any, delay: Any) -> None:
        self.before.append(message)

    def after_enqueue(self, broker: dramatiq.Broker, message: Any, delay: Any) -> None:
        self.after.append(message)


class Private:
    def __init__(self, broker: dramatiq.Broker, seen: Seen) -> None:
        self.broker = broker
        self.seen = seen
        self.pipelines = 0  # Redis pipelines opened by enqueue (round trips of messages)


@pytest.fixture(params=["stub", pytest.param("redis", marks=pytest.mark.redis)])
def private(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Private]:
    """A fresh broker with loa's queues and a recording middleware, as `actors.broker`."""
    broker: dramatiq.Broker
    namespace = f"loa-test-{uuid.uuid4().hex[:8]}"
    if request.param == "redis":
        need(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
        broker = RedisBroker(url=REDIS_URL, namespace=namespace)  # type: ignore[no-untyped-call]
    else:
        broker = StubBroker()
    seen = Seen()
    broker.add_middleware(seen)
    for queue in QUEUES.values():
        broker.declare_queue(queue)
    got = Private(broker, seen)
    if isinstance(broker, RedisBroker):
        opened = broker.client.pipeline

        def counting(*args: Any, **kwargs: Any) -> Any:
            got.pipelines += 1
            return opened(*args, **kwargs)

        monkeypatch.setattr(broker.client, "pipeline", counting)
    monkeypatch.setattr(actors, "broker", broker)
    try:
        yield got
    finally:
        broker.close()
        if isinstance(broker, RedisBroker):
            keys = list(broker.client.scan_iter(f"{namespace}*"))
            if keys:
                broker.client.delete(*keys)
            broker.client.close()
            broker.client.connection_pool.disconnect()


def rows(n: int = N) -> list[tuple[int, str]]:
    """Delivery ids (not starting at 1, with gaps) spread over every channel."""
    return [(10_000 + 3 * i, CHANNELS[i % len(CHANNELS)]) for i in range(n)]


def queued(broker: dramatiq.Broker) -> list[dramatiq.Message[Any]]:
    """Every message waiting on loa's queues, decoded from what the broker holds."""
    raw: list[bytes] = []
    if isinstance(broker, RedisBroker):
        for queue in QUEUES.values():
            key = f"{broker.namespace}:{queue}"
            ids = cast(list[bytes], broker.client.lrange(key, 0, -1))
            bodies = cast(dict[bytes, bytes], broker.client.hgetall(f"{key}.msgs"))
            assert len(ids) == len(bodies), f"{queue}: listed ids and stored messages differ"
            raw += [bodies[i] for i in ids]
    else:
        assert isinstance(broker, StubBroker)
        for queue in QUEUES.values():
            raw += list(broker.queues[queue].queue)
    return [dramatiq.Message.decode(body) for body in raw]


def test_enqueued_deliveries_land_once_each_on_their_channels_queue_as_deliver_messages(
    private: Private,
) -> None:
    wanted = rows()
    assert actors.enqueue(wanted) == N
    messages = queued(private.broker)
    assert len(messages) == N
    assert {m.actor_name for m in messages} == {"deliver"}
    assert Counter((m.args[0], m.queue_name) for m in messages) == Counter(
        (i, queue_for(c)) for i, c in wanted
    )
    if isinstance(private.broker, RedisBroker):
        redis_ids = [m.options["redis_message_id"] for m in messages]
        assert len(set(redis_ids)) == N  # one Redis id each, or the hash would merge messages
        assert private.pipelines == math.ceil(N / actors.PIPELINE_BATCH)


def test_the_enqueue_hooks_see_every_message_before_and_after_in_order(private: Private) -> None:
    wanted = rows()
    actors.enqueue(wanted)
    before = [(m.args[0], m.queue_name) for m in private.seen.before]
    after = [(m.args[0], m.queue_name) for m in private.seen.after]
    expected = [(i, queue_for(c)) for i, c in wanted]
    assert before == expected
    assert after == expected
    # The hooks are shown the message that was stored, not an earlier copy of it.
    assert {m.message_id for m in private.seen.after} == {
        m.message_id for m in queued(private.broker)
    }


def test_a_dramatiq_worker_runs_each_enqueued_delivery_once(private: Private) -> None:
    ran: Counter[int] = Counter()
    lock = threading.Lock()

    def deliver(delivery_id: int) -> None:
        with lock:
            ran[delivery_id] += 1

    # The worker looks actors up by name: this one stands in for loa's, on this broker only.
    dramatiq.actor(actor_name="deliver", queue_name=queue_for("website"), broker=private.broker)(
        deliver
    )
    wanted = rows()
    actors.enqueue(wanted)
    worker = dramatiq.Worker(private.broker, worker_threads=8, worker_timeout=100)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while sum(ran.values()) < N and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # a message run twice would show up here
    finally:
        worker.stop()
    assert ran == Counter(i for i, _ in wanted)
