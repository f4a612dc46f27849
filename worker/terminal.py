"""Colours for a terminal that can show them; plain text in a pipe or with NO_COLOR set."""

from __future__ import annotations

import os
import sys

CODES = {
    "bold": "1",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "grey": "90",
    "published": "32",
    "failed": "31",
    "uncertain": "33",
    "retrying": "33",
    "awaiting_approval": "36",
    "skipped": "90",
    "cancelled": "90",
}


def colour_enabled() -> bool:
    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def paint(text: str, style: str) -> str:
    code = CODES.get(style)
    return f"\033[{code}m{text}\033[0m" if code and colour_enabled() else text
