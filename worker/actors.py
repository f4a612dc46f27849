"""The dramatiq actors. Run workers with: dramatiq worker.actors (REDIS_URL, DATABASE_URL set)."""

from __future__ import annotations

import dramatiq

from worker.broker import broker, queue_for  # sets the broker before the actor below binds
from worker.delivery import deliver as run_delivery
from worker.liveness import WorkerHeartbeat
from worker.runtime import current

broker.add_middleware(WorkerHeartbeat())

# The database decides retries (worker.retry), so dramatiq's own are off.
TIME_LIMIT_MS = 10 * 60 * 1000


@dramatiq.actor(
    queue_name=queue_for("website"), max_retries=0, time_limit=TIME_LIMIT_MS, broker=broker
)
def deliver(delivery_id: int) -> None:
    run_delivery(current(), delivery_id)


def message_for(delivery_id: int, channel: str) -> dramatiq.Message[None]:
    """The message for one delivery, on its channel's queue."""
    return deliver.message(delivery_id).copy(queue_name=queue_for(channel))


def enqueue(rows: list[tuple[int, str]]) -> int:
    for delivery_id, channel in rows:
        broker.enqueue(message_for(delivery_id, channel))
    return len(rows)
