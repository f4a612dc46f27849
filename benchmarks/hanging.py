"""Scenario: one target that never answers must not slow the others.

Four units, one website target each, the same number of items to each, delivered by loa's
embedded worker (in-process broker, 8 threads) with the scheduler ticking every 0.2 s. Three
targets answer in 20 ms. The fourth either answers the same (the baseline) or never answers
(each publish hangs until the run ends). Figure: published posts per second on the three
healthy targets, timed from the first tick to their last post. Each target's concurrency cap
(default 4, worker/engine/ratelimit.py) is what keeps the hanging one to four threads.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.delivery import now, published_at
from benchmarks.fixtures import insert_items, period_around, write_config
from benchmarks.results import Context, Figure

THREADS = 8
UNITS = 4
ANSWER = 0.02  # seconds a healthy target takes to answer
TIMEOUT = 300.0


def _measure(scratch: Path, items: int, hanging: bool) -> float:
    """Healthy posts per second, with or without the first unit's target hanging."""
    from dramatiq.brokers.stub import StubBroker
    from sqlalchemy import func, select

    from channels.base import Message, Receipt
    from channels.outbox import OutboxTransport
    from worker.engine import embedded, runtime, scheduler
    from worker.engine.broker import broker
    from worker.engine.runtime import build_runtime
    from worker.store.models import PUBLISHED, Delivery

    if not isinstance(broker, StubBroker):
        raise RuntimeError("run this scenario without REDIS_URL: it uses the in-process broker")
    target = [{"units": "all", "kind": "website", "transport": "outbox"}]
    root = write_config(
        scratch / "config",
        units=UNITS,
        targets=target,
        channels=["website"],
        period=period_around(now()),
    )
    rt = build_runtime(root, f"sqlite:///{scratch / 'loa.db'}", outbox=scratch / "outbox")
    insert_items(rt.engine, items, published_at())
    dead = sorted(rt.config.targets)[0]
    release = threading.Event()
    original = OutboxTransport.publish

    def portal(self: OutboxTransport, message: Message) -> Receipt:
        if hanging and self.target.id == dead:
            release.wait(TIMEOUT)  # never answers while the run lasts
        time.sleep(ANSWER)
        return original(self, message)

    OutboxTransport.publish = portal  # type: ignore[method-assign]
    broker.flush_all()
    runtime.install(rt)
    worker = embedded.start_worker(THREADS)
    healthy = (Delivery.state == PUBLISHED) & (Delivery.target != dead)
    try:
        started = time.perf_counter()
        deadline = started + TIMEOUT
        with rt.sessions() as s:
            scheduler.tick(rt, ingest=False)
            want = s.scalar(select(func.count()).where(Delivery.target != dead)) or 0
        while time.perf_counter() < deadline:
            with rt.sessions() as s:
                done = s.scalar(select(func.count()).where(healthy)) or 0
            if done >= want:
                break
            time.sleep(0.2)
            scheduler.tick(rt, ingest=False)
        took = time.perf_counter() - started
    finally:
        release.set()
        worker.stop()
        runtime.install(None)
        OutboxTransport.publish = original  # type: ignore[method-assign]
        rt.close()
        rt.engine.dispose()
    return want / took


def scenario(ctx: Context) -> list[Figure]:
    items = ctx.size(200, 40)
    runs: dict[bool, list[float]] = {False: [], True: []}
    for n in range(ctx.runs):
        for hanging in (False, True):
            scratch = ctx.scratch / f"hanging-{n}-{int(hanging)}"
            scratch.mkdir(parents=True, exist_ok=True)
            runs[hanging].append(_measure(scratch, items, hanging))
    note: dict[str, Any] = {"threads": THREADS, "healthy_targets": UNITS - 1, "items": items}
    return [
        Figure(
            "hanging.without",
            "hanging",
            "healthy targets, every target answering",
            "posts/s",
            runs[False],
            extra=note,
        ),
        Figure(
            "hanging.with",
            "hanging",
            "healthy targets, one target never answering",
            "posts/s",
            runs[True],
            baseline="hanging.without",
            extra=note,
        ),
    ]
