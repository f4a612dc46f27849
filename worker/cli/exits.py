"""Exit codes and BadInput: light, so the entry point catches them without importing a command."""

from __future__ import annotations

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Something the user gave cannot be used; exit 2 with this message."""
