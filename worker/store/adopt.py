"""Databases made by `create_all` before migrations: what they lack, and completing them.

Completing only ever adds (missing tables, columns and indexes); anything else that differs is
refused for a human to look at. worker.store.migrate decides when this runs.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from worker.store.errors import SchemaError
from worker.store.models import Base

ADDABLE = ("add_table", "add_column", "add_index")
log = logging.getLogger(__name__)


class _Recorder:
    """Stands in for alembic's `op` to read a revision's tables without touching a database."""

    def __init__(self) -> None:
        self.metadata = sa.MetaData()

    def f(self, name: str) -> str:
        return name

    def create_table(self, name: str, *items: Any, **kw: Any) -> sa.Table:
        return sa.Table(name, self.metadata, *items, **kw)

    def create_index(
        self, name: str, table: str, columns: list[str], unique: bool = False, **kw: Any
    ) -> None:
        t = self.metadata.tables[table]
        sa.Index(name, *(t.c[c] for c in columns), unique=unique, **kw)


def tables_of(revision_file: str) -> sa.MetaData:
    """The tables a revision that only creates tables makes, read from its file."""
    spec = importlib.util.spec_from_file_location("loa_revision", revision_file)
    assert spec is not None and spec.loader is not None
    module: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    recorder = _Recorder()
    module.op = recorder  # a private copy of the module: alembic's own is untouched
    module.upgrade()
    return recorder.metadata


def our_tables(conn: Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names()) & set(Base.metadata.tables)


def diffs(conn: Connection, metadata: sa.MetaData) -> list[tuple[Any, ...]]:
    """Alembic's differences, flattened.

    A missing table's indexes come with it; tables that are not ours (a shared database) are
    ignored.
    """
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    flat: list[tuple[Any, ...]] = []
    for diff in compare_metadata(context, metadata):
        flat.extend(tuple(one) for one in (diff if isinstance(diff, list) else [diff]))
    added = {d[1].name for d in flat if d[0] == "add_table"}
    return [
        d
        for d in flat
        if d[0] != "remove_table" and not (d[0] == "add_index" and d[1].table.name in added)
    ]


_WORDS: dict[str, Callable[[tuple[Any, ...]], str]] = {
    "add_table": lambda d: f"table {d[1].name}",
    "add_column": lambda d: f"column {d[2]}.{d[3].name}",
    "add_index": lambda d: f"index {d[1].name}",
    "remove_column": lambda d: f"a column loa does not know, {d[2]}.{d[3].name}",
    "remove_index": lambda d: f"an index loa does not know, {d[1].name}",
}


def describe(found: list[tuple[Any, ...]]) -> str:
    """The differences in words, for an operator."""
    words = []
    for diff in found:
        kind = diff[0]
        if kind in _WORDS:
            words.append(_WORDS[kind](diff))
        elif kind.startswith("modify_"):
            words.append(f"column {diff[2]}.{diff[3]}: {kind[7:]} {diff[5]!r}, not {diff[6]!r}")
        else:
            words.append(" ".join(str(part) for part in diff))
    return "; ".join(words)


def refuse_unrepairable(found: list[tuple[Any, ...]]) -> None:
    """Raises SchemaError if anything differs other than missing tables, columns or indexes."""
    other = [d for d in found if d[0] not in ADDABLE]
    if other:
        raise SchemaError(
            "this database was made by an earlier loa and differs in ways loa will not repair "
            f"by itself: {describe(other)}. "
            "Compare it with worker/store/models.py and fix it by hand."
        )


def complete(conn: Connection, metadata: sa.MetaData) -> None:
    """Add what the database lacks of `metadata`; raises SchemaError for anything else."""
    found = diffs(conn, metadata)
    refuse_unrepairable(found)
    ops = Operations(MigrationContext.configure(conn))
    for diff in found:
        if diff[0] == "add_table":
            metadata.tables[diff[1].name].create(conn)  # alembic's copy lacks the indexes
        elif diff[0] == "add_column":
            _add_column(ops, conn, diff[2], diff[3])
        else:
            index = diff[1]
            columns = [c.name for c in index.columns]
            ops.create_index(index.name, index.table.name, columns, unique=index.unique)
        log.warning("completing an old database: added %s", describe([diff]))
    left = diffs(conn, metadata)
    if left:
        raise SchemaError(f"could not complete the old database: still lacks {describe(left)}")


def _add_column(ops: Operations, conn: Connection, table: str, column: sa.Column[Any]) -> None:
    """Add a column; a NOT NULL one is filled with the models' default for the existing rows."""
    if column.foreign_keys:
        raise SchemaError(f"cannot add column {table}.{column.name}: it has a foreign key")
    fill = None if column.nullable else _fill(table, column.name)
    ops.add_column(
        table, sa.Column(column.name, column.type, nullable=column.nullable, server_default=fill)
    )
    if fill is not None and conn.dialect.name != "sqlite":
        ops.alter_column(table, column.name, server_default=None)


def _fill(table: str, name: str) -> str:
    """The models' Python-side default for a column, as SQL text for the rows already there."""
    model = Base.metadata.tables.get(table)
    default = model.c[name].default if model is not None and name in model.c else None
    if not isinstance(default, sa.ColumnDefault):
        raise SchemaError(f"cannot add NOT NULL column {table}.{name}: no default to fill it with")
    value = default.arg(None) if default.is_callable else default.arg
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)
