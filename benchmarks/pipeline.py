"""dramatiq's RedisBroker.enqueue, batched in a Redis pipeline (dramatiq has no bulk enqueue).

The same Lua `dispatch` call, the same message id option and the same middleware hooks as
`broker.enqueue(message)`, but one round trip per `batch` messages instead of one per message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import uuid4

import dramatiq
from dramatiq.common import current_millis

BATCH = 1000


def enqueue_pipelined(
    broker: Any, messages: Iterable[dramatiq.Message[Any]], batch: int = BATCH
) -> int:
    """Enqueue every message on a RedisBroker, `batch` per round trip; returns how many."""
    dispatch = broker.scripts["dispatch"]
    keys = [broker.namespace]
    pending: list[dramatiq.Message[Any]] = []
    total = 0
    pipe = broker.client.pipeline(transaction=False)
    for original in messages:
        message = original.copy(options={"redis_message_id": str(uuid4())})
        broker.emit_before("enqueue", message, None)
        args = [
            "enqueue",
            current_millis(),
            message.queue_name,
            broker.broker_id,
            broker.heartbeat_timeout,
            broker.dead_message_ttl,
            broker._should_do_maintenance("enqueue"),
            broker._max_unpack_size(),
            message.options["redis_message_id"],
            message.encode(),
        ]
        dispatch(args=args, keys=keys, client=pipe)
        pending.append(message)
        if len(pending) >= batch:
            total += _flush(broker, pipe, pending)
    total += _flush(broker, pipe, pending)
    return total


def _flush(broker: Any, pipe: Any, pending: list[dramatiq.Message[Any]]) -> int:
    if not pending:
        return 0
    pipe.execute()
    for message in pending:
        broker.emit_after("enqueue", message, None)
    count = len(pending)
    pending.clear()
    return count
