"""The dramatiq actors. Workers run: dramatiq worker.engine.actors (REDIS_URL, DATABASE_URL set)."""

from __future__ import annotations

from uuid import uuid4

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis

from worker.engine.broker import broker, queue_for  # sets the broker before the actor below binds
from worker.engine.delivery import deliver as run_delivery
from worker.engine.liveness import WorkerHeartbeat
from worker.engine.runtime import current

broker.add_middleware(WorkerHeartbeat())

# The database decides retries (worker.engine.retry), so dramatiq's own are off.
TIME_LIMIT_MS = 10 * 60 * 1000


@dramatiq.actor(
    queue_name=queue_for("website"), max_retries=0, time_limit=TIME_LIMIT_MS, broker=broker
)
def deliver(delivery_id: int) -> None:
    run_delivery(current(), delivery_id)


# Messages per Redis round trip when enqueueing; dramatiq has no bulk enqueue of its own.
PIPELINE_BATCH = 1000


def message_for(delivery_id: int, channel: str) -> dramatiq.Message[None]:
    """The message for one delivery, on its channel's queue."""
    return deliver.message(delivery_id).copy(queue_name=queue_for(channel))


def enqueue(rows: list[tuple[int, str]]) -> int:
    """Send one message per (delivery id, channel); pipelined on Redis, one by one otherwise."""
    if isinstance(broker, RedisBroker):
        return _enqueue_pipelined(broker, rows)
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
