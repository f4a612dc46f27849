"""The engine and sessions: DATABASE_URL, or a SQLite file in the working directory."""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from worker.store.models import Base

DEFAULT_URL = "sqlite:///loa.db"
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
_kept: weakref.WeakSet[Connection] = weakref.WeakSet()


def keep(conn: Connection) -> Connection:
    """Note a connection kept checked out for good (a worker thread's, worker.engine.runtime):
    `dispose_all` closes it too, which disposing its engine would not."""
    _kept.add(conn)
    return conn


def dispose_all() -> None:
    """Close every connection this process opened (tests, before dropping a database)."""
    for conn in list(_kept):
        with contextlib.suppress(Exception):
            conn.close()
    for engine in list(_engines):
        engine.dispose()


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def make_engine(url: str | None = None, *, pool_size: int | None = None) -> Engine:
    """An engine with the settings each backend needs to be safe under several threads."""
    url = url or database_url()
    if url.startswith("sqlite"):
        sized: dict[str, Any] = {}
        if pool_size is not None and ":memory:" not in url and url != "sqlite://":
            sized = {"pool_size": pool_size, "max_overflow": pool_size}
        args = {"timeout": 30, "check_same_thread": False}
        engine = create_engine(url, connect_args=args, **sized)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        size = pool_size or int(os.environ.get("LOA_DB_POOL", "10"))
        engine = create_engine(url, pool_size=size, max_overflow=size, pool_pre_ping=True)
    _engines.add(engine)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
    # SQLite's own lower() folds ASCII only: "ĐỒNG NAI" stayed "ĐỒNG NAI", so a console search
    # for "đồng nai" missed it (PostgreSQL's lower() folds Vietnamese already)
    dbapi_conn.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


# pg_advisory_xact_lock key ("loa" in ASCII), so processes starting together take turns.
SCHEMA_LOCK_KEY = 0x6C6F61


@contextlib.contextmanager
def schema_locked(engine: Engine) -> Iterator[Connection]:
    """One transaction to check or change the schema in; on PostgreSQL also a lock, so
    processes starting together create or migrate it one at a time."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK_KEY)))
        yield conn


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
