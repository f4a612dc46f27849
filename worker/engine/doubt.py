"""Claims in doubt: a claim whose answer never came back may still have been committed.

A claim is one autocommitted UPDATE. If the connection is cut after PostgreSQL committed it but
before its answer arrived, the worker sees a database error and sends the message again later
(worker.engine.actors.hold_back), while the row stays `sending` under this worker's name with a
lease nobody renews: the message that comes back finds it "not claimable", and the row waited
out its whole lease (300 s by default) before the sweep settled it.

So a process remembers the deliveries whose claim failed that way, and the next message for one
of them may take the row back (`claims.claim_delivery(own=True)`: still `sending`, under this
process's name) as long as no thread of this process is working on it. A per-delivery lock
(striped) makes "claimed, now in flight here" and "not in flight here, take it back" exclusive
within the process; another process never matches, its name differs.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

STRIPES = 64


class Doubts:
    """This process's claims in doubt and the deliveries its threads are working on."""

    def __init__(self) -> None:
        self._stripes = [threading.Lock() for _ in range(STRIPES)]
        self._lock = threading.Lock()
        self.doubtful: set[int] = set()
        self.active: set[int] = set()

    @contextlib.contextmanager
    def claiming(self, delivery_id: int) -> Iterator[None]:
        """Held while a thread claims `delivery_id` and notes it active (or gives up)."""
        with self._stripes[delivery_id % STRIPES]:
            yield

    def failed(self, delivery_id: int) -> None:
        """The claim raised: it may have been committed all the same."""
        with self._lock:
            self.doubtful.add(delivery_id)

    def may_retake(self, delivery_id: int) -> bool:
        """Whether a row left `sending` by this process may be taken back (call while
        `claiming` it): its claim was in doubt and no thread here is working on it."""
        with self._lock:
            return delivery_id in self.doubtful and delivery_id not in self.active

    def claimed(self, delivery_id: int) -> None:
        with self._lock:
            self.doubtful.discard(delivery_id)
            self.active.add(delivery_id)

    def done(self, delivery_id: int) -> None:
        with self._lock:
            self.active.discard(delivery_id)
