"""Deliver promoted rows in two halves on one thread: the first timed, the second profiled.

What benchmarks.profile_delivery and benchmarks.profile_sms share: the unprofiled half gives the
wall and CPU figures, the profiled half the functions that spend them; then the published rows
are counted and the runtime is closed.
"""

from __future__ import annotations

import cProfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Halves:
    count: int
    """Rows delivered in each half."""
    wall: float
    """Seconds of wall time the unprofiled half took."""
    cpu: float
    """Seconds of process CPU time the unprofiled half took."""
    published: int
    profiler: cProfile.Profile


def deliver_in_halves(
    rt: Any, ids: Sequence[int], timer: Callable[[], float] | None = None
) -> Halves:
    """`timer`: cProfile's clock (time.process_time counts CPU only; default wall time)."""
    from sqlalchemy import func, select

    from worker.engine import delivery
    from worker.store.models import PUBLISHED, Delivery

    half = len(ids) // 2
    wall, cpu = time.perf_counter(), time.process_time()
    for i in ids[:half]:
        delivery.deliver(rt, i)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    profiler = cProfile.Profile(timer) if timer else cProfile.Profile()
    profiler.enable()
    for i in ids[half:]:
        delivery.deliver(rt, i)
    profiler.disable()
    with rt.sessions() as s:
        count = select(func.count()).select_from(Delivery).where(Delivery.state == PUBLISHED)
        published = int(s.scalar(count) or 0)
    rt.close()
    rt.engine.dispose()
    return Halves(half, wall, cpu, published, profiler)
