"""Outcomes survive a database outage: recording retries for a while, then goes to a journal.

A worker that published something and cannot record it must not lose what it knows. Recording
an outcome retries through a short outage (`RECORD_PATIENCE` seconds, with back-off); after
that the outcome is appended to this process's journal, a JSON-lines file under `LOA_JOURNAL`
(default `journal/`), and replayed into the database by the worker's heartbeat once the
database answers again, and at the next start (the journals of processes of this host that no
longer exist included). A replayed outcome is fenced like any recording: it applies only while
the row still carries the same claim number, and it may overwrite the `uncertain` verdict the
lease sweep gave the row in the meantime, since the journal knows what happened.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

from sqlalchemy.exc import InterfaceError, OperationalError

from worker.engine.runtime import Runtime
from worker.store import queries
from worker.store.models import SENDING, UNCERTAIN, Attempt

log = logging.getLogger(__name__)
T = TypeVar("T")

DB_DOWN = (OperationalError, InterfaceError)
"""What a database that does not answer raises (a restart, a cut connection, a full pool)."""
RECORD_PATIENCE = 90.0
"""Seconds a worker keeps retrying to record an outcome before it journals it (< the lease)."""
_lock = threading.Lock()


class Outage:
    """Logs a database outage once when it starts and once when it ends, with counts."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.held = 0
        self._lock = threading.Lock()

    def down(self, error: BaseException, what: str = "held back") -> None:
        with self._lock:
            self.held += 1
            if self.since is None:
                self.since = time.monotonic()
                first = str(error).strip().splitlines()[0] if str(error).strip() else ""
                log.warning("database unavailable (%s): %s until it answers", first[:200], what)

    def up(self) -> None:
        if self.since is None:  # the common case, without taking the lock
            return
        with self._lock:
            if self.since is None:
                return
            took, held = time.monotonic() - self.since, self.held
            self.since, self.held = None, 0
        log.warning("database back after %.0f s; %d piece(s) of work were held back", took, held)


outage = Outage()


def patiently(action: Callable[[], T], patience: float | None = None) -> T:
    """Run a database action, retrying through an outage of up to `patience` seconds."""
    deadline = time.monotonic() + (RECORD_PATIENCE if patience is None else patience)
    pause = 0.25
    while True:
        try:
            result = action()
        except DB_DOWN as e:
            outage.down(e, "outcomes are kept")
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 5.0)
            continue
        outage.up()
        return result


def folder() -> Path:
    return Path(os.environ.get("LOA_JOURNAL", "journal"))


def _file(rt: Runtime) -> Path:
    return folder() / f"{rt.name.replace(':', '_').replace('/', '_')}.jsonl"


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$dt"}:
            return dt.datetime.fromisoformat(value["$dt"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


ATTEMPT_FIELDS = (
    "delivery_id",
    "started_at",
    "finished_at",
    "outcome",
    "error",
    "worker",
    "http_status",
    "remote_id",
)


def write(rt: Runtime, claim: int, attempt: Attempt, values: dict[str, Any]) -> None:
    """Append one outcome to this process's journal and make it durable (fsync)."""
    entry = {
        "claim": claim,
        "attempt": {k: getattr(attempt, k) for k in ATTEMPT_FIELDS},
        "values": values,
    }
    line = json.dumps(_encode(entry), ensure_ascii=False) + "\n"
    path = _file(rt)
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())


def _ours(rt: Runtime, path: Path) -> bool:
    """This process's journal, or one a process of this host left behind when it stopped."""
    if path.name == _file(rt).name:
        return True
    host, _, pid = path.stem.rpartition("_")
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return host == rt.name.rpartition(":")[0].replace(":", "_").replace("/", "_")
    except OSError:
        return False
    return False


def replay(rt: Runtime) -> int:
    """Record what the journals hold; returns how many outcomes were applied or found stale.

    Entries the database still cannot take stay in a journal for the next replay.
    """
    base = folder()
    if not base.is_dir():
        return 0
    done = 0
    for path in sorted(base.glob("*.jsonl")):
        if not _ours(rt, path):
            continue
        taken = path.with_name(f"{path.stem}.{uuid4().hex}.replaying")
        with _lock:
            path.rename(taken)
        done += _replay_file(rt, taken)
    for left in sorted(base.glob("*.replaying")):  # a replay that stopped half-way
        if _ours(rt, left.with_name(left.name.split(".")[0] + ".jsonl")):
            done += _replay_file(rt, left)
    return done


def _replay_file(rt: Runtime, path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    done = 0
    for n, line in enumerate(lines):
        entry = _decode(json.loads(line))
        attempt = Attempt(**entry["attempt"])
        try:
            with rt.sessions.begin() as s:
                kept = queries.record_outcome(
                    s,
                    attempt.delivery_id,
                    entry["claim"],
                    attempt,
                    entry["values"],
                    states=(SENDING, UNCERTAIN),
                )
        except DB_DOWN:  # still down: keep the rest for the next replay
            with _lock, _file(rt).open("a", encoding="utf-8") as f:
                f.writelines(f"{rest}\n" for rest in lines[n:])
            break
        done += 1
        state = entry["values"].get("state")
        if kept:
            log.info("delivery %s -> %s (from the journal)", attempt.delivery_id, state)
        else:
            log.warning("delivery %s: journaled %s no longer applies", attempt.delivery_id, state)
    path.unlink()
    return done
