"""Keep a claimed row's lease alive while its publish runs, fenced by the claim number.

A lease only has to outlive a worker that died. A live worker renews it every third of the
lease, so the scheduler's lease sweep never reconciles a slow publish (an SMS batch that takes
longer than `lease_seconds`) while it still runs; a dead worker stops renewing and its lease
runs out within `lease_seconds`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from types import TracebackType

from worker.engine.runtime import Runtime
from worker.store import queries

log = logging.getLogger(__name__)


class LeaseKeeper:
    """A thread that extends `lease_until` of one claimed row until the attempt is recorded."""

    def __init__(self, rt: Runtime, delivery_id: int, claim: int, lease: dt.timedelta) -> None:
        self.rt, self.delivery_id, self.claim, self.lease = rt, delivery_id, claim, lease
        self.every = max(0.2, lease.total_seconds() / 3)
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"loa-lease-{delivery_id}", daemon=True
        )

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                renewed = self.renew()
            except Exception:  # the database may be away for a moment: try again next period
                log.debug("delivery %s: lease renewal failed", self.delivery_id, exc_info=True)
                continue
            if not renewed:
                self.lost = True
                log.warning("delivery %s: claim %s taken away", self.delivery_id, self.claim)
                return

    def renew(self) -> bool:
        with self.rt.sessions.begin() as s:
            return queries.renew_lease(s, self.delivery_id, self.claim, self.rt.now() + self.lease)
