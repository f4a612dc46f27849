"""Schema migrations: a fresh database gets the models' schema, old create_all ones are handled."""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import threading
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from tests.conftest import _pg_database
from tests.factories import create_delivery, create_item
from worker.store import migrate, schemahead
from worker.store.db import make_engine, session_factory
from worker.store.models import Base, Delivery

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    yield made
    made.dispose()


def schema_diff(engine: Engine, metadata: sa.MetaData = Base.metadata) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def make_legacy(engine: Engine, *, old: bool) -> None:
    """A database as `create_all` made it before migrations; `old`: as the first release had it.

    The models of that time are the first revision's tables (`migrate.baseline()`).
    """
    migrate.baseline().create_all(engine)
    with engine.begin() as conn:
        if old:
            conn.execute(sa.text("DROP TABLE sms_reports"))
            conn.execute(sa.text("ALTER TABLE deliveries DROP COLUMN progress"))
            conn.execute(sa.text("ALTER TABLE sources DROP COLUMN note"))
        now = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
        conn.execute(
            sa.text(
                "INSERT INTO content_items (id, key, source, kind, title, summary, body_html, "
                "topics, content_hash, first_seen, updated) VALUES (1, 'k', 'dvc.news', "
                "'article', 'Tin', '', '', '[]', 'h', :now, :now)"
            ),
            {"now": now},
        )
        progress = ("", "") if old else (", progress", ", '{}'")
        conn.execute(
            sa.text(
                "INSERT INTO deliveries (id, campaign, item_id, unit, target, channel, state, "
                "due_at, attempts, claims, segments, recipients, created_at, updated_at"
                f"{progress[0]}) VALUES (1, 'dvc', 1, 'so-noi-vu', 'so-noi-vu/website', "
                f"'website', 'published', :now, 1, 1, 0, 0, :now, :now{progress[1]})"
            ),
            {"now": now},
        )


def test_upgrading_an_empty_database_gives_exactly_the_models_schema(engine: Engine) -> None:
    assert migrate.current(engine) is None
    migrate.upgrade(engine, migrate.BASELINE)
    assert schema_diff(engine, migrate.baseline()) == []
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert schema_diff(engine) == []


def test_upgrading_again_changes_nothing_and_keeps_the_rows(engine: Engine) -> None:
    migrate.upgrade(engine)
    with session_factory(engine).begin() as s:
        create_delivery(s, create_item(s))
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert schema_diff(engine) == []
    with session_factory(engine)() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 1


def test_ensure_schema_creates_the_schema_in_an_empty_database(engine: Engine) -> None:
    migrate.ensure_schema(engine)
    assert migrate.current(engine) == migrate.head()
    assert schema_diff(engine) == []
    migrate.ensure_schema(engine)
    assert migrate.current(engine) == migrate.head()


def test_ensure_schema_adopts_a_create_all_database_that_matches_the_first_revision(
    engine: Engine,
) -> None:
    make_legacy(engine, old=False)
    # Adopted as the first revision, then refused as behind this code (not as lacking columns).
    with pytest.raises(migrate.SchemaError, match=r"revision 0001; this loa needs .*db upgrade"):
        migrate.ensure_schema(engine)
    migrate.upgrade(engine)
    migrate.ensure_schema(engine)
    assert migrate.current(engine) == migrate.head() and schema_diff(engine) == []
    with session_factory(engine)() as s:
        assert s.get(Delivery, 1) is not None


def test_ensure_schema_refuses_an_old_database_that_lacks_later_columns_and_names_them(
    engine: Engine,
) -> None:
    make_legacy(engine, old=True)
    with pytest.raises(migrate.SchemaError) as refused:
        migrate.ensure_schema(engine)
    message = str(refused.value)
    assert "loa db upgrade" in message
    for missing in ("table sms_reports", "column deliveries.progress", "column sources.note"):
        assert missing in message
    assert migrate.current(engine) is None
    assert "progress" not in columns(engine, "deliveries")


def test_upgrade_completes_an_old_database_and_keeps_its_rows(engine: Engine) -> None:
    make_legacy(engine, old=True)
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert schema_diff(engine) == []
    with session_factory(engine)() as s:
        delivery = s.get(Delivery, 1)
        assert delivery is not None
        assert delivery.progress == {}
        assert delivery.state == "published"
        assert delivery.next_attempt_at == delivery.due_at
    migrate.ensure_schema(engine)


def test_revision_0002_gives_every_row_its_due_time_as_its_next_attempt(engine: Engine) -> None:
    make_legacy(engine, old=False)
    migrate.upgrade(engine, migrate.BASELINE)
    assert "next_attempt_at" not in columns(engine, "deliveries")
    migrate.upgrade(engine, "0002")
    with session_factory(engine)() as s:
        delivery = s.get(Delivery, 1)
        assert delivery is not None
        assert delivery.next_attempt_at == delivery.due_at == dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    indexes = {i["name"] for i in sa.inspect(engine).get_indexes("deliveries")}
    assert {"ix_deliveries_state_next", "ix_deliveries_state_due"} <= indexes


def test_an_old_database_with_a_column_loa_does_not_know_is_refused_and_left_alone(
    engine: Engine,
) -> None:
    make_legacy(engine, old=True)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE deliveries ADD COLUMN priority INTEGER"))
    for attempt in (migrate.ensure_schema, migrate.upgrade):
        with pytest.raises(migrate.SchemaError, match=r"will not repair.*deliveries\.priority"):
            attempt(engine)
    assert migrate.current(engine) is None
    assert "progress" not in columns(engine, "deliveries")


def test_ensure_schema_refuses_a_database_upgraded_by_a_newer_loa(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    with pytest.raises(migrate.SchemaError, match="newer loa"):
        migrate.ensure_schema(engine)


@pytest.mark.parametrize("ensure", [migrate.ensure_schema, schemahead.ensure_schema])
def test_processes_starting_together_on_an_empty_database_create_the_schema_once(
    pg_url: str, ensure: Callable[[Engine], None]
) -> None:
    engines = [make_engine(pg_url, pool_size=1) for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(engines))

    def starting(engine: Engine) -> None:
        start.wait()
        try:
            ensure(engine)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=starting, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert migrate.current(engines[0]) == migrate.head()
    assert schema_diff(engines[0]) == []
    for e in engines:
        e.dispose()


def test_every_migration_file_ships_in_the_package() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    found = setuptools["packages"]["find"]["include"]
    data = setuptools["package-data"]
    files = [
        p for p in migrate.MIGRATIONS.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    assert any(p.name == "env.py" for p in files)
    for path in files:
        package = ".".join(path.parent.relative_to(ROOT).parts)
        assert any(fnmatch.fnmatch(package, pattern) for pattern in found), package
        if path.suffix != ".py":  # modules ship with their package; other files need a pattern
            patterns = data.get(package, [])
            assert any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns), path


def test_the_head_a_start_checks_without_alembic_is_the_newest_migration() -> None:
    assert migrate.head() == schemahead.HEAD


def reflected(engine: Engine) -> dict[str, Any]:
    """Everything the database says about its tables: columns, keys, indexes, constraints.
    Columns by name: a migration adds a column at the end, `create_all` in the models' order,
    and loa names every column it reads or writes."""
    seen = sa.inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(seen.get_table_names()):
        tables[name] = {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in seen.get_columns(name)
            ),
            "primary": seen.get_pk_constraint(name)["constrained_columns"],
            "foreign": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in seen.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in seen.get_indexes(name)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"])) for u in seen.get_unique_constraints(name)
            ),
        }
    return tables


def test_an_empty_database_started_without_alembic_gets_the_migrations_schema(
    database_url: str, tmp_path: Path
) -> None:
    """The start-up path (create_all, stamp HEAD) and `loa db upgrade` (every migration in
    turn) make the same tables, columns, keys and indexes, and the same stamp."""
    by_start = make_engine(database_url)
    schemahead.ensure_schema(by_start)
    started = reflected(by_start)
    assert migrate.current(by_start) == migrate.head()
    migrate.upgrade(by_start)  # already at head: nothing to do
    by_start.dispose()
    with another_database(database_url, tmp_path) as other:
        by_migrations = make_engine(other)
        migrate.upgrade(by_migrations)
        assert reflected(by_migrations) == started
        by_migrations.dispose()


@contextlib.contextmanager
def another_database(like: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database on the same backend as `like`."""
    if like.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
    else:
        yield from _pg_database()


def test_a_start_on_a_database_at_head_passes_and_any_other_revision_goes_to_alembic(
    engine: Engine,
) -> None:
    assert not schemahead.at_head(engine)  # empty: no alembic_version table
    schemahead.ensure_schema(engine)
    assert schemahead.at_head(engine)
    assert schema_diff(engine) == []
    schemahead.ensure_schema(engine)  # at head: nothing to do
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    assert not schemahead.at_head(engine)
    with pytest.raises(migrate.SchemaError, match="newer loa"):
        schemahead.ensure_schema(engine)
