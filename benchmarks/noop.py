"""dramatiq's own baseline actors on a plain RedisBroker with its default middleware and settings.

Import this instead of worker.engine.broker in a process that measures dramatiq alone. The broker is
built from REDIS_URL and LOA_REDIS_NAMESPACE, like loa's, so both live in the same namespace.
"""

from __future__ import annotations

import os

import dramatiq
import requests
from dramatiq.brokers.redis import RedisBroker

QUEUE = "bench_noop"
SLOW_QUEUE = "bench_slow"

broker = RedisBroker(  # type: ignore[no-untyped-call]
    url=os.environ["REDIS_URL"], namespace=os.environ["LOA_REDIS_NAMESPACE"]
)
dramatiq.set_broker(broker)
_http = requests.Session()


@dramatiq.actor(queue_name=QUEUE, broker=broker)
def noop(n: int) -> None:
    """Nothing: what dramatiq costs by itself."""


@dramatiq.actor(queue_name=SLOW_QUEUE, broker=broker, max_retries=0)
def slow_post(n: int, url: str) -> None:
    """One POST to the slow endpoint, as a delivery would make; the recovery baseline."""
    response = _http.post(url, json={"n": n}, headers={"Idempotency-Key": f"b-{n}"}, timeout=60)
    response.raise_for_status()
