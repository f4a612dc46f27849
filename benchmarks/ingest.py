"""Scenario 7, ingest: 200 local feeds polled in one tick, 20 of which drip or hang.

The 180 healthy feeds must be in as fast as when they are alone (ratio to the healthy-only
tick), and the tick must end within the poll deadline (`feed_deadline`, 10 s; 3 s --quick)
however slowly the other 20 answer: they drip one byte a second, hang after their headers,
drip their headers or never answer (tests/fakes/drip.py, on 127.0.0.1).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time

from benchmarks.results import Context, Figure
from campaigns.model import TZ, Campaign, Config, Schedule, Source
from tests.fakes.drip import DripServer
from worker.engine.ingest import ingest_all
from worker.engine.runtime import Runtime, fixed_clock
from worker.store.db import make_engine, session_factory
from worker.store.migrate import ensure_schema

SOURCES, SLOW_EVERY = 200, 10
SLOW = ("/drip", "/hang", "/drip-headers", "/silent")
NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ)
RSS = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin</title>'
    "<link>https://sonoivu.dongnai.gov.vn</link><item><title>Tin một</title>"
    "<link>https://sonoivu.dongnai.gov.vn/tin/1</link><guid>cchc-1</guid>"
    "<pubDate>Sat, 01 Jun 2024 08:00:00 +0700</pubDate></item></channel></rss>"
).encode()


def _runtime(ctx: Context, urls: list[str], deadline: float) -> Runtime:
    folder = ctx.scratch / f"ingest-{time.monotonic_ns()}"
    folder.mkdir()
    sources = tuple(Source(f"bench.s{i}", "feed", url=u, interval=60) for i, u in enumerate(urls))
    campaign = Campaign(
        "bench",
        "Tin",
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        (),
        sources,
        (),
        ("website",),
        Schedule("on_new_item"),
    )
    settings = {"feed_deadline": deadline, "ingest_threads": 32}
    config = Config(str(folder), {}, {}, {"bench": campaign}, settings)
    engine = make_engine(f"sqlite:///{folder / 'loa.db'}")
    ensure_schema(engine)
    return Runtime(config, engine, session_factory(engine), folder / "outbox", fixed_clock(NOW))


def _tick(
    ctx: Context, server: DripServer, urls: list[str], deadline: float
) -> tuple[float, float]:
    """(seconds for the tick, seconds until the last healthy feed was answered)."""
    rt = _runtime(ctx, urls, deadline)
    try:
        with server.lock:
            server.served.clear()
        started = time.monotonic()
        results = ingest_all(rt, NOW)
        took = time.monotonic() - started
        healthy = [r for r in results if r.error is None]
        with server.lock:
            last = max(server.served) - started
        expected = sum(1 for u in urls if "/ok/" in u)
        if len(healthy) != expected:
            raise RuntimeError(f"{len(healthy)} of {expected} healthy feeds were ingested")
        return took, last
    finally:
        rt.close()
        rt.engine.dispose()
        shutil.rmtree(rt.config.root, ignore_errors=True)


def scenario(ctx: Context) -> list[Figure]:
    deadline = 3.0 if ctx.quick else 10.0
    mixed, alone, ticks = [], [], []
    with DripServer(RSS).running() as server:
        base = server.url
        urls = [
            base + (SLOW[(i // SLOW_EVERY) % len(SLOW)] if i % SLOW_EVERY == 0 else "/ok") + f"/{i}"
            for i in range(SOURCES)
        ]
        for _ in range(ctx.runs):
            alone.append(_tick(ctx, server, [u for u in urls if "/ok/" in u], deadline)[1])
            took, last = _tick(ctx, server, urls, deadline)
            ticks.append(took)
            mixed.append(last)
    return [
        Figure(
            "ingest.alone",
            "ingest",
            "180 healthy feeds alone: last one in",
            "s",
            alone,
            higher_is_better=False,
        ),
        Figure(
            "ingest.healthy",
            "ingest",
            "180 healthy beside 20 dripping: last one in",
            "s",
            mixed,
            higher_is_better=False,
            baseline="ingest.alone",
        ),
        Figure(
            "ingest.deadline",
            "ingest",
            "feed_deadline",
            "s",
            [deadline] * len(ticks),
            higher_is_better=False,
        ),
        Figure(
            "ingest.tick",
            "ingest",
            "the whole tick, 20 of 200 dripping",
            "s",
            ticks,
            higher_is_better=False,
            baseline="ingest.deadline",
        ),
    ]
