"""Exit codes and BadInput: light, so the entry point catches them without importing a command."""

from __future__ import annotations

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
EXIT_SOURCES = 3
"""`loa run --once` did its work, but a source or content file could not be read (named on
stderr): what could be read was planned and sent; fix the rest and run again."""


class BadInput(Exception):
    """Something the user gave cannot be used; exit 2 with this message."""
