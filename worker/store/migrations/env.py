"""Alembic's environment for loa: worker.store.migrate hands it an open connection, never a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection, make_url

from worker.store.db import make_engine
from worker.store.migrate import configure_options
from worker.store.models import Base


def run(connection: Connection) -> None:
    options = configure_options(connection.dialect.name, Base.metadata)
    context.configure(connection=connection, **options)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():  # `alembic upgrade --sql`: print the SQL for a DBA to run
        assert url, "sqlalchemy.url is needed to print SQL"
        options = configure_options(make_url(url).get_backend_name(), Base.metadata)
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = make_engine(url)  # the `alembic` tool with an ini file: open its URL
    try:
        with engine.begin() as conn:
            run(conn)
    finally:
        engine.dispose()


main()
