"""SchemaError, apart from alembic and SQLAlchemy so that `loa` can catch it without importing
them at start-up."""

from __future__ import annotations


class SchemaError(RuntimeError):
    """The database's schema is not the one this loa needs; the message says what to do."""
