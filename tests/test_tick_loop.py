"""`loa run`'s loop starts a tick every interval, and the next one at once after a long tick."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from worker.engine import embedded


class Clock:
    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


class Stop(threading.Event):
    """Records how long the loop waits after each tick; stops it after `ticks` ticks."""

    def __init__(self, ticks: int) -> None:
        super().__init__()
        self.ticks = ticks
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.ticks:
            self.set()
        return self.is_set()


def test_a_long_tick_is_followed_at_once_and_a_short_one_waits_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    took = iter([35.0, 2.0, 10.0])  # a tick draining a backlog for 35 s, a quiet one, one exact
    failing = iter([False, False, True])

    def tick(rt: Any, *, ingest: bool = True) -> None:
        clock.at += next(took)
        if next(failing):
            raise RuntimeError("database away")

    monkeypatch.setattr(embedded, "tick", tick)
    monkeypatch.setattr(time, "monotonic", clock)
    stop = Stop(3)
    embedded.tick_loop(object(), 10.0, stop)  # type: ignore[arg-type]
    # after 35 s: no wait; after 2 s: the other 8; a failed tick waits a whole interval
    assert stop.waits == [0.0, 8.0, 10.0]
