"""Keep a claimed row's lease alive while its publish runs, fenced by the claim number.

A lease only has to outlive a worker that died. A live worker renews it every third of the
lease, so the scheduler's lease sweep never reconciles a slow publish (an SMS batch that takes
longer than `lease_seconds`) while it still runs; a dead worker stops renewing and its lease
runs out within `lease_seconds`.

One renewer thread per runtime serves every delivery in flight in the process: holding a lease
is two dictionary operations, not a thread started and joined per delivery (that cost ~0.1 ms
of CPU and two GIL hand-offs each). The thread ends after a while with nothing held and starts
again with the next lease.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from types import TracebackType

from worker.engine.runtime import Runtime
from worker.store import queries

log = logging.getLogger(__name__)

IDLE_EXIT = 1.0
"""Seconds the renewer thread waits with nothing to renew before it ends."""


@dataclass
class _Held:
    delivery_id: int
    claim: int
    lease: dt.timedelta
    every: float
    due: float  # time.monotonic() of the next renewal
    lost: bool = False


class Renewer:
    """The process's lease renewals: one thread, every lease held by this runtime's workers."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.held: dict[int, _Held] = {}
        self._cond = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        self._wake_at = float("inf")

    def hold(self, entry: _Held) -> None:
        with self._cond:
            self.held[id(entry)] = entry
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="loa-leases", daemon=True)
                self._thread.start()
            elif entry.due < self._wake_at:
                self._cond.notify()

    def drop(self, entry: _Held) -> None:
        with self._cond:
            self.held.pop(id(entry), None)

    def _loop(self) -> None:
        idle_since = time.monotonic()
        while True:
            with self._cond:
                now = time.monotonic()
                due = [e for e in self.held.values() if e.due <= now]
                if not due:
                    if self.held:
                        idle_since = now
                    elif now - idle_since >= IDLE_EXIT:
                        self._thread = None
                        return
                    nearest = min((e.due for e in self.held.values()), default=now + IDLE_EXIT)
                    self._wake_at = nearest
                    self._cond.wait(max(0.0, nearest - now))
                    self._wake_at = float("inf")
                    continue
            for entry in due:
                self._renew(entry)

    def _renew(self, entry: _Held) -> None:
        entry.due = time.monotonic() + entry.every
        try:
            renewed = self.renew(entry)
        except Exception:  # the database may be away for a moment: try again next period
            log.debug("delivery %s: lease renewal failed", entry.delivery_id, exc_info=True)
            return
        if not renewed:
            with self._cond:  # recorded meanwhile (dropped): not lost, just done
                still = self.held.pop(id(entry), None) is not None
            if still:
                entry.lost = True
                log.warning("delivery %s: claim %s taken away", entry.delivery_id, entry.claim)

    def renew(self, entry: _Held) -> bool:
        until = self.rt.now() + entry.lease
        with self.rt.atomic() as c:
            return queries.renew_lease(c, entry.delivery_id, entry.claim, until)


def renewer(rt: Runtime) -> Renewer:
    """The runtime's renewer, made on first use."""
    with rt._lock:
        found = rt.leases
        if found is None:
            found = rt.leases = Renewer(rt)
        return found  # type: ignore[no-any-return]


class LeaseKeeper:
    """Extends `lease_until` of one claimed row, every third of the lease, until it is recorded."""

    def __init__(self, rt: Runtime, delivery_id: int, claim: int, lease: dt.timedelta) -> None:
        self.rt, self.delivery_id, self.claim, self.lease = rt, delivery_id, claim, lease
        every = max(0.2, lease.total_seconds() / 3)
        self._entry = _Held(delivery_id, claim, lease, every, time.monotonic() + every)
        self._renewer = renewer(rt)

    @property
    def lost(self) -> bool:
        return self._entry.lost

    def __enter__(self) -> LeaseKeeper:
        self._renewer.hold(self._entry)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._renewer.drop(self._entry)
