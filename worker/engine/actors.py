"""The dramatiq actors. Workers run: dramatiq worker.engine.actors (REDIS_URL, DATABASE_URL set)."""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import TYPE_CHECKING, Any, cast
from uuid import uuid4

import dramatiq
from dramatiq.common import current_millis, dq_name, q_name
from dramatiq.middleware import CurrentMessage

from worker.engine import journal
from worker.engine.broker import (  # sets the broker before the actor below binds
    QUEUES,
    RETRY_QUEUES,
    broker,
    on_redis,
    queue_for,
    retry_queue_for,
)
from worker.engine.delivery import deliver as run_delivery
from worker.engine.liveness import WorkerHeartbeat
from worker.engine.runtime import Runtime, current
from worker.store.models import RETRYING, Delivery

if TYPE_CHECKING:
    from dramatiq.brokers.redis import RedisBroker

broker.add_middleware(WorkerHeartbeat())
broker.add_middleware(CurrentMessage())
log = logging.getLogger(__name__)

# The database decides retries (worker.engine.retry), so dramatiq's own are off.
TIME_LIMIT_MS = 10 * 60 * 1000
OUTAGE_PAUSE_MS = 3000
"""A message that finds the database away comes back after 3 to 6 s."""
RETRY_MESSAGE_MAX = dt.timedelta(minutes=15)
"""A retry due later than this (quiet hours, a long back-off) is left to the scheduler's tick:
a delayed message waits in a worker's memory, and a long wait there only hoards it."""


@dramatiq.actor(
    queue_name=queue_for("website"), max_retries=0, time_limit=TIME_LIMIT_MS, broker=broker
)
def deliver(delivery_id: int) -> None:
    rt = current()
    try:
        if run_delivery(rt, delivery_id) == RETRYING:
            retry_on_time(rt, delivery_id)
    except journal.DB_DOWN as e:  # nothing was published: bring the message back later
        journal.outage.down(e)
        hold_back(CurrentMessage.get_current_message())
        return
    journal.outage.up()


def hold_back(message: dramatiq.Message[Any] | None) -> None:
    """The database is away: send this message again after a pause, without counting it as a
    retry (dramatiq's would dead-letter it) and without a traceback per message."""
    if message is None:  # pragma: no cover - the middleware is always installed
        return
    again = message.copy(queue_name=q_name(message.queue_name))
    again.options.pop("eta", None)
    broker.enqueue(again, delay=OUTAGE_PAUSE_MS + random.randint(0, OUTAGE_PAUSE_MS))  # noqa: S311


def retry_on_time(rt: Runtime, delivery_id: int) -> bool:
    """Send a row given back as `retrying` again when it is due, as a delayed message on its
    channel's retry queue; the row stays `retrying` with its due time, so if the message is
    lost the scheduler's tick still promotes it. Returns whether a message was sent."""
    with rt.sessions() as s:
        row = s.get(Delivery, delivery_id)
        if row is None or row.state != RETRYING:
            return False
        channel, wait = row.channel, row.next_attempt_at - rt.now()
    if wait > RETRY_MESSAGE_MAX:
        return False
    delay = max(0, int(wait.total_seconds() * 1000))
    try:
        broker.enqueue(message_for(delivery_id, channel, retry=True), delay=delay)
    except Exception:  # a Redis blip: the tick promotes the row when it is due
        log.warning("delivery %s: could not schedule its retry message", delivery_id)
        return False
    return True


# Messages per Redis round trip when enqueueing; dramatiq has no bulk enqueue of its own.
PIPELINE_BATCH = 1000


def message_for(delivery_id: int, channel: str, *, retry: bool = False) -> dramatiq.Message[None]:
    """The message for one delivery, on its channel's queue (or its retry queue)."""
    queue = retry_queue_for(channel) if retry else queue_for(channel)
    return deliver.message(delivery_id).copy(queue_name=queue)


SILENT_WORKER_MS = 10_000
"""A dramatiq worker heartbeats about once a second; one silent this long is taken for dead."""


def held_deliveries() -> set[int] | None:
    """Delivery ids the broker holds a message for: waiting, delayed, or fetched by a live
    worker and not yet acknowledged (dramatiq keeps a Redis message in its queue's hash until
    the ack). A message fetched by a worker that stopped heartbeating is not held: dramatiq
    would give it back only after its own 60 s timeout and a maintenance roll. None when the
    broker cannot say (the in-process one)."""
    redis_broker = on_redis(broker)
    if redis_broker is None:
        return None
    client, ns = redis_broker.client, redis_broker.namespace
    cutoff = current_millis() - SILENT_WORKER_MS
    beats = cast(list[bytes], client.zrangebyscore(f"{ns}:__heartbeats__", 0, cutoff))
    silent = [w.decode() for w in beats]
    held: set[int] = set()
    for queue in (*QUEUES.values(), *RETRY_QUEUES.values()):
        for name in (queue, dq_name(queue)):
            orphaned: set[bytes] = set()
            for worker in silent:
                orphaned |= cast(set[bytes], client.smembers(f"{ns}:__acks__.{worker}.{name}"))
            for message_id, data in client.hscan_iter(f"{ns}:{name}.msgs", count=1000):
                if message_id not in orphaned:
                    held.add(int(dramatiq.Message.decode(data).args[0]))
    return held


def enqueue(rows: list[tuple[int, str]]) -> int:
    """Send one message per (delivery id, channel); pipelined on Redis, one by one otherwise."""
    redis_broker = on_redis(broker)
    if redis_broker is not None:
        return _enqueue_pipelined(redis_broker, rows)
    for delivery_id, channel in rows:
        broker.enqueue(message_for(delivery_id, channel))
    return len(rows)


def _enqueue_pipelined(redis_broker: RedisBroker, rows: list[tuple[int, str]]) -> int:
    """RedisBroker.enqueue's own Lua call and middleware hooks, PIPELINE_BATCH per round trip.

    A failed batch raises like broker.enqueue does; its rows stay `queued` in the database and
    the scheduler's stale-queued sweep sends them again after the grace period.
    """
    dispatch = redis_broker.scripts["dispatch"]
    keys = [redis_broker.namespace]
    for start in range(0, len(rows), PIPELINE_BATCH):
        pipe = redis_broker.client.pipeline(transaction=False)
        sent = []
        for delivery_id, channel in rows[start : start + PIPELINE_BATCH]:
            message = message_for(delivery_id, channel).copy(
                options={"redis_message_id": str(uuid4())}
            )
            redis_broker.emit_before("enqueue", message, None)
            args = [
                "enqueue",
                current_millis(),
                message.queue_name,
                redis_broker.broker_id,
                redis_broker.heartbeat_timeout,
                redis_broker.dead_message_ttl,
                redis_broker._should_do_maintenance("enqueue"),
                redis_broker._max_unpack_size(),
                message.options["redis_message_id"],
                message.encode(),
            ]
            dispatch(args=args, keys=keys, client=pipe)
            sent.append(message)
        pipe.execute()
        for message in sent:
            redis_broker.emit_after("enqueue", message, None)
    return len(rows)
