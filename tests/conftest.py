"""Shared fixtures: a database on SQLite and on PostgreSQL, a config in a temporary folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fakes.webhook import FakeWebhook
from tests.services import need, port_open
from worker.store.db import dispose_all

# The suite's older tests read the English messages; a test of the Vietnamese ones (the default
# for users) says so with --lang vi or by setting LOA_LANG itself (tests/test_messages.py).
os.environ["LOA_LANG"] = "en"

PG_ADMIN = os.environ.get("LOA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_database() -> Iterator[str]:
    need(port_open("127.0.0.1", 5432), "PostgreSQL on 127.0.0.1:5432")
    name = f"loa_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        dispose_all()
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store test runs on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'loa.db'}"
    else:
        yield from _pg_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'loa.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _pg_database()


@pytest.fixture(scope="module")
def hook() -> Iterator[FakeWebhook]:
    """A fake webhook portal for the module; a module may define its own `hook` instead."""
    fake = FakeWebhook()
    with fake.running():
        yield fake


@pytest.fixture
def webhook(hook: FakeWebhook) -> FakeWebhook:
    """The module's portal with what earlier tests sent to it forgotten."""
    hook.reset()
    return hook
