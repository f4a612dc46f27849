"""What a process needs to plan and deliver: config, database, transports, a clock.

HTTP sessions and transports are per thread: requests.Session is not thread-safe, and a
transport holds its session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from campaigns.model import Config, Target
from campaigns.schema import ChannelSettings
from channels.base import Transport
from channels.registry import make_transport
from channels.session import EnvSession
from worker.engine.checks import load_checked_config
from worker.engine.doubt import Doubts
from worker.engine.ratelimit import Limits
from worker.engine.redact import install_log_filter, redact
from worker.store.db import keep, make_engine, session_factory
from worker.store.schemahead import ensure_schema

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fixed_clock(at: dt.datetime) -> Clock:
    return lambda: at


class PerThread(threading.local):
    """What each thread keeps to itself: requests.Session is not safe to share across threads."""

    def __init__(self) -> None:
        self.http: requests.Session | None = None
        self.transports: dict[str, Transport] = {}
        self.conn: Connection | None = None  # PostgreSQL: the hot path's kept connection
        self.used = 0.0  # time.monotonic() of its last use


IDLE_PING = 1.0
"""Seconds a thread's kept connection may sit unused before its next use pings it first (what
`pool_pre_ping` did on every checkout): a thread delivering back to back pays no ping, one
that waited (a quiet spell, a database restart meanwhile) finds out before its statement."""


@dataclass
class Runtime:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    outbox: Path
    clock: Clock = system_clock
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    _local: PerThread = field(default_factory=PerThread)
    _opened: list[tuple[threading.Thread, requests.Session]] = field(default_factory=list)
    _kept: list[tuple[threading.Thread, Connection]] = field(default_factory=list)
    _limits: Any = None
    _settings: tuple[Config | None, dict[str, dict[str, Any]]] = (None, {})
    _lock: threading.Lock = field(default_factory=threading.Lock)
    leases: Any = None
    doubts: Doubts = field(default_factory=Doubts)
    """Claims whose answer was lost, and the deliveries in flight here (worker.engine.doubt)."""
    """The process's lease renewer (worker.engine.lease), made on first use."""
    stopping: threading.Event = field(default_factory=threading.Event)
    """Set on SIGTERM/SIGINT: polls in flight are cut short, no new work is taken."""

    def now(self) -> dt.datetime:
        return self.clock()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Connection]:
        """A connection for one atomic write of the delivery hot path (worker.store.claims,
        worker.store.progress).

        On PostgreSQL the thread's own connection, kept checked out between uses and in
        autocommit: each such write is a single statement, atomic by itself, so it costs one
        round trip, with no pool checkout, no pre-ping (but after `IDLE_PING`), no BEGIN or
        COMMIT. A statement that fails drops the connection, so the caller's retry
        (journal.patiently) or the next delivery connects afresh. On SQLite a pooled
        transaction (the record there is two statements), committed on leaving."""
        if self.engine.dialect.name != "postgresql":
            with self.engine.begin() as conn:
                yield conn
            return
        local = self._local
        conn = local.conn if local.conn is not None else self._keep()
        if time.monotonic() - local.used > IDLE_PING:
            conn = self._pinged(conn)
        try:
            yield conn
        except BaseException:
            self._drop(conn)  # a cut connection, or one left mid-statement: never reuse it
            raise
        local.used = time.monotonic()

    def _keep(self) -> Connection:
        """Check out this thread's connection for good (given back when the thread ends)."""
        conn = keep(self.engine.connect().execution_options(isolation_level="AUTOCOMMIT"))
        self._local.conn, self._local.used = conn, time.monotonic()  # just connected: no ping
        with self._lock:
            self._close_finished()
            self._kept.append((threading.current_thread(), conn))
        return conn

    def _pinged(self, conn: Connection) -> Connection:
        """`conn` if it still answers, else a fresh connection (which may raise DB_DOWN)."""
        try:
            conn.exec_driver_sql("SELECT 1")
            return conn
        except Exception:  # gone while idle: connect again, as pre-ping did
            self._drop(conn)
            return self._keep()

    def _drop(self, conn: Connection) -> None:
        if self._local.conn is conn:
            self._local.conn = None
        with self._lock:
            self._kept = [(t, c) for t, c in self._kept if c is not conn]
        with contextlib.suppress(Exception):
            conn.invalidate()
            conn.close()

    def redact(self, text: str) -> str:
        """`text` without any credential value this process holds (worker.engine.redact)."""
        return redact(self.config, text)

    def setting(self, *path: str, default: Any = None) -> Any:
        value: Any = self.config.settings
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    def channel_settings(self, kind: str) -> dict[str, Any]:
        """A channel kind's settings over the defaults: built once per config, not per delivery
        (each call gets its own copy of the top level; the nested values are shared)."""
        config, cached = self._settings
        if config is not self.config:  # first call, or the config was replaced
            cached = {}
            self._settings = (self.config, cached)
        if kind not in cached:
            cached[kind] = self._build_channel_settings(kind)
        return dict(cached[kind])

    def _build_channel_settings(self, kind: str) -> dict[str, Any]:
        raw = self.setting("channels", kind) or {}
        defaults = ChannelSettings().model_dump()
        if kind == "sms" and not raw.get("quiet_hours"):
            defaults["quiet_hours"] = {"start": dt.time(22, 0), "end": dt.time(7, 0)}
        return {**defaults, **{k: v for k, v in raw.items() if v is not None}}

    def limits(self) -> Any:
        """The process's rate limiters (Redis-backed when REDIS_URL is set)."""
        with self._lock:
            if self._limits is None:
                lease = int(self.setting("lease_seconds", default=300)) * 1000
                self._limits = Limits(lease_ms=lease)
            return self._limits

    @property
    def http(self) -> requests.Session:
        """This thread's HTTP session, opened on first use and kept for the thread's life."""
        local = self._local
        if local.http is None:
            local.http = EnvSession()
            with self._lock:
                self._close_finished()
                self._opened.append((threading.current_thread(), local.http))
        return local.http

    def transport(self, target: Target) -> Transport:
        """One transport per target per thread, on the thread's own session, built on first use."""
        session = self.http
        transports = self._local.transports
        if target.id not in transports:
            transports[target.id] = make_transport(target, session=session, outbox=self.outbox)
        return transports[target.id]

    def _close_finished(self) -> None:
        """Close the sessions and connections of threads that have ended (lock held)."""
        alive = []
        for thread, session in self._opened:
            if thread.is_alive():
                alive.append((thread, session))
            else:
                session.close()
        self._opened = alive
        kept = []
        for thread, conn in self._kept:
            if thread.is_alive():
                kept.append((thread, conn))
            else:
                with contextlib.suppress(Exception):
                    conn.close()
        self._kept = kept

    def close(self) -> None:
        """Close every thread's session and kept connection; a thread that carries on
        afterwards opens new ones."""
        with self._lock:
            opened, self._opened = self._opened, []
            kept, self._kept = self._kept, []
            self._local = PerThread()
        for _, session in opened:
            session.close()
        for _, conn in kept:
            with contextlib.suppress(Exception):
                conn.close()


def build_runtime(
    config_dir: str | Path | None = None,
    database_url: str | None = None,
    *,
    clock: Clock = system_clock,
    outbox: str | Path | None = None,
    pool_size: int | None = None,
) -> Runtime:
    """Load config and open the database (creating the schema); the same in every process.
    `pool_size`: database connections kept (and as many more at a peak), e.g. one per thread."""
    config = load_checked_config(config_dir or os.environ.get("LOA_CONFIG", "config"))
    install_log_filter(config)
    engine = make_engine(database_url, pool_size=pool_size)
    ensure_schema(engine)
    out = Path(outbox or os.environ.get("LOA_OUTBOX") or config.settings.get("outbox", "outbox"))
    return Runtime(config, engine, session_factory(engine), out, clock)


_current: Runtime | None = None
_current_lock = threading.Lock()


def current() -> Runtime:
    """The process's runtime, built from the environment the first time a worker needs it."""
    global _current  # noqa: PLW0603
    with _current_lock:
        if _current is None:
            _current = build_runtime()
        return _current


def install(runtime: Runtime | None) -> None:
    """Set the process's runtime (the embedded `loa run`, and tests)."""
    global _current  # noqa: PLW0603
    with _current_lock:
        _current = runtime
