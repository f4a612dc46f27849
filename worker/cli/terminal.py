"""Colours for a terminal that can show them; plain text in a pipe or with NO_COLOR set."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable

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


class LiveCounts:
    """Rewrites one stderr line with delivery counts by state while a long command runs."""

    def __init__(self, count: Callable[[], dict[str, int]], interval: float = 0.5) -> None:
        self.count = count
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="loa-progress", daemon=True)
        self.enabled = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"

    def __enter__(self) -> LiveCounts:
        if self.enabled:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.stop.set()
            self.thread.join()
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

    def _loop(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                counts = self.count()
            except Exception:  # a busy database: skip this refresh
                logging.getLogger(__name__).debug("progress refresh failed", exc_info=True)
                continue
            line = ", ".join(f"{state} {n}" for state, n in counts.items() if n)
            sys.stderr.write(f"\r\033[K{line}")
            sys.stderr.flush()
