"""The `loa` command line: `main` parses and dispatches; one module per group of commands."""

from worker.cli import messages  # noqa: F401 (the command line's messages join the catalogue)
