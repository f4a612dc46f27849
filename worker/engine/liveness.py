"""Signs of life: heartbeat rows for schedulers and workers, and the one-scheduler lock."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from typing import Any

import dramatiq
from sqlalchemy import delete, select, update

from worker.engine import journal
from worker.engine.runtime import Runtime, current
from worker.store.models import Heartbeat, Lock
from worker.store.queries import affected, insert_ignoring_existing

SCHEDULER_LOCK = "scheduler"
log = logging.getLogger(__name__)


def beat(rt: Runtime, role: str, detail: dict[str, Any] | None = None) -> None:
    """Record that this process is alive (wall-clock time, whatever clock the runtime replays)."""
    now = dt.datetime.now(dt.UTC)
    name = f"{role}@{rt.name}"
    with rt.sessions.begin() as s:
        row = s.get(Heartbeat, name)
        if row is None:
            s.add(
                Heartbeat(
                    name=name,
                    role=role,
                    pid=os.getpid(),
                    host=socket.gethostname(),
                    started_at=now,
                    seen_at=now,
                    detail=detail or {},
                )
            )
        else:
            row.seen_at, row.role = now, role
            if detail is not None:
                row.detail = detail


def retire(rt: Runtime, *roles: str) -> None:
    """This process stopped cleanly: its heartbeats go, so no "silent" row stays behind it.

    A process that dies keeps its row, which ages into "silent": that is the alarm."""
    names = [f"{role}@{rt.name}" for role in roles]
    try:
        with rt.sessions.begin() as s:
            s.execute(delete(Heartbeat).where(Heartbeat.name.in_(names)))
    except Exception:  # the database may be away: the row ages into "silent", as before
        log.warning("could not remove this process's heartbeat rows", exc_info=True)


FAILURE_KEYS = ("error", "failed_at")
ERROR_CHARS = 500


def error_text(rt: Runtime, error: BaseException) -> str:
    """What an operator may read of an error: no credential values, no URL passwords."""
    return rt.redact(f"{type(error).__name__}: {error}")[:ERROR_CHARS]


def record_tick(rt: Runtime, error: BaseException | None, role: str = "scheduler") -> None:
    """Mark this process's heartbeat failing (time, error text) or, after a good tick, healthy."""
    with rt.sessions.begin() as s:
        row = s.get(Heartbeat, f"{role}@{rt.name}")
        if row is None:
            return
        kept = {k: v for k, v in (row.detail or {}).items() if k not in FAILURE_KEYS}
        if error is not None:
            failed_at = dt.datetime.now(dt.UTC).isoformat()
            kept.update(error=error_text(rt, error), failed_at=failed_at)
        if kept != (row.detail or {}):
            row.detail = kept


def heartbeats(rt: Runtime) -> list[Heartbeat]:
    with rt.sessions() as s:
        return list(s.scalars(select(Heartbeat).order_by(Heartbeat.role, Heartbeat.name)))


def acquire_lock(rt: Runtime, name: str = SCHEDULER_LOCK, ttl: float = 60.0) -> bool:
    """Take or renew a named lock that expires after `ttl` seconds without renewal."""
    now = dt.datetime.now(dt.UTC)
    until = now + dt.timedelta(seconds=ttl)
    with rt.sessions.begin() as s:
        holder = s.scalar(select(Lock.holder).where(Lock.name == name))
        if holder is None:  # the first time only: a quiet tick renews with one UPDATE, no INSERT
            row = {"name": name, "holder": rt.name, "expires_at": until}
            if insert_ignoring_existing(s, Lock.__table__, [row], ["name"]):
                return True
            holder = s.scalar(select(Lock.holder).where(Lock.name == name))  # another was first
        free = (Lock.holder == rt.name) | (Lock.expires_at < now)
        if holder is not None and dead_here(holder):
            free = free | (Lock.holder == holder)
        result = s.execute(
            update(Lock)
            .where(Lock.name == name, free)
            .values(holder=rt.name, expires_at=until)
            .execution_options(synchronize_session=False)
        )
        return affected(result) == 1


def dead_here(holder: str) -> bool:
    """True if `holder` ("host:pid", a runtime's name) is a process of this host that is gone."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, owned by another user
        return False
    return False


class LockLost(RuntimeError):
    """Another scheduler took the lock while this one was in the middle of a tick."""


class LockKeeper:
    """Renews a held lock every third of its `ttl` until the block ends (a tick's network I/O,
    feeds and lookups, may take longer than the lock lives). `check()` raises LockLost between
    steps once a renewal found the lock in another holder's hands."""

    def __init__(self, rt: Runtime, ttl: float, name: str = SCHEDULER_LOCK) -> None:
        self.rt, self.ttl, self.name = rt, ttl, name
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="loa-lock", daemon=True)

    def __enter__(self) -> LockKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                held = acquire_lock(self.rt, self.name, self.ttl)
            except Exception:  # the database may be away for a moment: try again
                log.debug("renewing the %s lock failed", self.name, exc_info=True)
                continue
            if not held:
                self.lost = True
                return

    def check(self) -> None:
        if self.lost:
            raise LockLost(f"the {self.name} lock passed to another process during a tick")


def release_lock(rt: Runtime, name: str = SCHEDULER_LOCK) -> None:
    with rt.sessions.begin() as s:
        s.execute(delete(Lock).where(Lock.name == name, Lock.holder == rt.name))


class WorkerHeartbeat(dramatiq.Middleware):
    """Beats every `interval` seconds from each dramatiq worker process while it runs."""

    def __init__(self, interval: float = 10.0) -> None:
        self.interval = interval
        self.stop = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        threading.Thread(target=self._loop, name="loa-heartbeat", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stop.set()
        try:
            retire(current(), "worker")
        except Exception:  # no runtime installed: nothing was beating
            log.debug("no heartbeat to retire", exc_info=True)

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                rt = current()
                beat(rt, "worker")
                journal.replay(rt)  # outcomes kept through an outage, recorded once it is over
            except Exception:  # the database may be down for a moment; keep beating
                log.debug("heartbeat failed", exc_info=True)
            self.stop.wait(self.interval)
