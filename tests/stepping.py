"""Drive the scheduler by hand: a clock the test moves, and one tick with its deliveries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from worker.engine.broker import broker
from worker.engine.delivery import deliver
from worker.engine.runtime import Runtime
from worker.engine.scheduler import tick
from worker.store.models import QUEUED, Delivery


class Clock:
    """Time injected, never slept: the runtime asks it, the test moves it."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


def step(rt: Runtime) -> list[str]:
    """One scheduler tick, then deliver whatever it queued, in this thread (no broker timing)."""
    tick(rt)
    broker.flush_all()
    with rt.sessions() as s:
        ids = list(s.scalars(select(Delivery.id).where(Delivery.state == QUEUED)))
    return [deliver(rt, i) for i in ids]
