"""The schema revision this code needs, and the start-up check that does without Alembic.

Every process checks the schema when it starts (`ensure_schema`). Two cases need no Alembic:

- a database already at this code's revision (every start but the first after an install or
  an upgrade): recognised by one SELECT of `alembic_version`;
- an empty database: the models' tables are created with `create_all` and stamped with HEAD,
  as Alembic's cookbook describes ("Building an Up to Date Database from Scratch"); the data
  steps of the migrations only change rows that exist, and tests/test_migrations.py checks
  that this schema is the one the migrations make.

Anything else (a database behind or ahead of this code, or one made before migrations) goes to
`worker.store.migrate`, which imports Alembic. Alembic and the migration scripts cost a process
~12 MB of memory for its whole life, and the embedded `loa run --once` has a memory budget
(docs/performance.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from worker.store.db import schema_locked as locked
from worker.store.models import Base

HEAD = "0007"
"""The newest file in worker/store/migrations/versions (tests/test_migrations.py checks it)."""

# Alembic's version table, as `alembic stamp` creates it.
_VERSIONS = sa.Table(
    "alembic_version",
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def at_head(engine: Engine) -> bool:
    """Whether the database is stamped with exactly this code's revision."""
    with engine.connect() as conn:
        return _stamped(conn) == [HEAD]


def ensure_schema(engine: Engine) -> None:
    """`worker.store.migrate.ensure_schema`, without Alembic for a database at HEAD or empty."""
    if at_head(engine):
        return
    with locked(engine) as conn:
        if _stamped(conn) is None and not _ours(conn):
            Base.metadata.create_all(conn)
            _VERSIONS.create(conn)
            conn.execute(_VERSIONS.insert().values(version_num=HEAD))
            return
    from worker.store import migrate  # noqa: PLC0415 (memory: alembic only when needed)

    migrate.ensure_schema(engine)


def _stamped(conn: Connection) -> list[str] | None:
    """The revisions in `alembic_version`, or None when there is no such table."""
    if not sa.inspect(conn).has_table(_VERSIONS.name):
        return None
    return list(conn.execute(sa.select(_VERSIONS.c.version_num)).scalars())


def _ours(conn: Connection) -> bool:
    """Whether any of loa's tables exists (a database made before migrations, or half made)."""
    return bool(set(sa.inspect(conn).get_table_names()) & set(Base.metadata.tables))
