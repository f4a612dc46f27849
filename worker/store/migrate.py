"""Schema migrations with Alembic, configured in code: upgrade, current revision, start check.

Every process calls `ensure_schema` on start. It creates the schema in an empty database, and
adopts a database made by `create_all` before migrations existed when its tables already match
the first revision. Anything else that differs (a database behind this code, or an old one that
lacks columns added since) is refused with a `SchemaError` telling the operator to back up and
run `loa db upgrade`: a process never changes a schema that other, older processes may be using.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from worker.store import adopt as legacy
from worker.store.db import schema_locked as _locked
from worker.store.errors import SchemaError
from worker.store.models import UTCDateTime

__all__ = ["SchemaError", "baseline", "current", "ensure_schema", "head", "revision", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")
# The first revision: the schema that `create_all` made before migrations existed.
BASELINE = "0001"
log = logging.getLogger(__name__)


def configure_options(dialect: str, metadata: sa.MetaData) -> dict[str, Any]:
    """What env.py passes to `context.configure`; autogenerate and the checks here agree on it."""
    return {
        "target_metadata": metadata,
        "render_item": render_item,
        "render_as_batch": dialect == "sqlite",  # SQLite alters a table by copying it
        "compare_type": True,
    }


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our UTCDateTime as the plain type it stores, so migrations do not import models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the migrations shipped inside this package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        url = connection.engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        cfg.attributes["connection"] = connection
    return cfg


def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    """The newest revision this code knows."""
    found = scripts().get_current_head()
    assert found is not None, "worker/store/migrations/versions holds no revision"
    return found


def current(engine: Engine) -> str | None:
    """The database's revision, or None if Alembic has not touched it (empty, or made earlier)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def baseline() -> sa.MetaData:
    """The tables the first revision creates, read from its file (not from today's models)."""
    script = scripts().get_revision(BASELINE)
    assert script is not None
    return legacy.tables_of(script.path)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`; an old `create_all` database is completed first.

    Raises SchemaError if an old database differs in ways that adding tables, columns and
    indexes cannot repair.
    """
    with _locked(engine) as conn:
        if _revision(conn) is None and legacy.our_tables(conn):
            legacy.complete(conn, baseline())
            command.stamp(config(conn), BASELINE)
        command.upgrade(config(conn), revision)


def ensure_schema(engine: Engine) -> None:
    """Make sure the schema is the one this code needs, changing it only where that is safe.

    Raises SchemaError, telling the operator to run `loa db upgrade`, for a database behind
    this code or an old one that lacks something; and for one ahead of this code.
    """
    with _locked(engine) as conn:
        revision = _revision(conn)
        if revision is None and not legacy.our_tables(conn):
            log.info("empty database: creating the schema (revision %s)", head())
            command.upgrade(config(conn), "head")
            return
        if revision is None:
            found = legacy.diffs(conn, baseline())
            legacy.refuse_unrepairable(found)
            if found:
                raise SchemaError(
                    "this database was made by an earlier loa, before schema migrations, and "
                    f"lacks: {legacy.describe(found)}. Back it up, then run `loa db upgrade`."
                )
            command.stamp(config(conn), BASELINE)
            revision = BASELINE
        _require_head(revision)


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _require_head(revision: str) -> None:
    wanted = head()
    if revision == wanted:
        return
    try:
        scripts().get_revision(revision)
    except CommandError:
        raise SchemaError(
            f"the database is at schema revision {revision}, which this loa does not know: "
            "it was upgraded by a newer loa. Run that version (or newer) instead."
        ) from None
    raise SchemaError(
        f"the database is at schema revision {revision}; this loa needs {wanted}. "
        "Back it up, then run `loa db upgrade`, then start loa again."
    )


def revision(engine: Engine, message: str, rev_id: str) -> Script | None:
    """Write a new revision by comparing the models with a database at head (for developers)."""
    with engine.begin() as conn:
        made = command.revision(config(conn), message, autogenerate=True, rev_id=rev_id)
    return made if isinstance(made, Script) else None
