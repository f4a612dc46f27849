"""Scenario backlog: the scheduler works through a 1,000,000-delivery backlog on PostgreSQL.

1,000 units x 4 targets (website, screen, Facebook, Zalo) x N items (N = 250: 1,000,000
rows; 12 with --quick: 48,000) are
planned beforehand (not timed; the planning figures are the fan-out scenario's). 90 % of the
items are due already, minutes to hours ago (the backlog: an outage, a large import); the last
10 % fall due one after another over the next WINDOW seconds, while the backlog drains. Then
the scheduler's own loop runs (`worker.engine.embedded.tick_loop`, the loop of `loa run`, the
shipped 10 s interval, real clock, real Redis, no workers) until every row is queued.

Figures: the rows already due at the start queued per second (promoted and enqueued), the lag
of the last row to fall due (when it was queued minus its due time), and when every row was
queued. No fixed per-tick cap: a tick
promotes and enqueues for up to `DISPATCH_SECONDS` and the next starts at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import env
from benchmarks.results import Context, Figure

UNITS = 1000
# Channel kinds that nothing holds back: SMS has quiet hours (22:00-07:00) and a loudspeaker item
# waits for its station's broadcast slot, so either would move due times by hours.
KINDS = ("website", "screen", "facebook", "zalo")
ITEMS = {"full": 250, "quick": 12}
# Both shorter than the drain of the rows already due (~124 s full, ~6 s quick), so rows fall due
# while the backlog is still draining: what the lag figure is about.
WINDOW = {"full": 60.0, "quick": 4.0}
INTERVAL = 10.0  # `loa run --interval`, default
TIMEOUT = 3600.0


def backlog_task(database_url: str, items: int, window: float) -> dict[str, Any]:
    from sqlalchemy import func, select

    from worker.engine.embedded import tick_loop
    from worker.engine.planner import plan
    from worker.store.models import PLANNED, Delivery

    rt = _runtime(database_url, items)
    started = time.perf_counter()
    with rt.sessions.begin() as s:
        planned = plan(s, rt.config, rt.now())
        _fall_due_over(s, items, window)
    plan_s = time.perf_counter() - started

    def unqueued() -> int:
        with rt.sessions() as s:
            query = select(func.count()).select_from(Delivery).where(Delivery.state == PLANNED)
            return int(s.scalar(query) or 0)

    stop = threading.Event()
    loop = threading.Thread(target=tick_loop, args=(rt, INTERVAL, stop), kwargs={"ingest": False})
    started_at = dt.datetime.now(dt.UTC)
    started, cpu = time.perf_counter(), time.process_time()
    loop.start()
    try:
        env.wait_for(lambda: unqueued() == 0, TIMEOUT, 0.5, "the backlog to drain")
    finally:
        stop.set()
        loop.join()
    cpu = time.process_time() - cpu  # this process's threads: the loop and the polling
    with rt.sessions() as s:
        first_queued, last_queued = s.execute(
            select(func.min(Delivery.queued_at), func.max(Delivery.queued_at))
        ).one()
        backlog, backlog_done = s.execute(
            select(func.count(), func.max(Delivery.queued_at)).where(
                Delivery.next_attempt_at <= started_at
            )
        ).one()
        last = s.execute(
            select(Delivery.next_attempt_at, Delivery.queued_at)
            .order_by(Delivery.next_attempt_at.desc(), Delivery.queued_at.desc())
            .limit(1)
        ).one()
    rt.engine.dispose()
    drain = (last_queued - started_at).total_seconds()
    return {
        "rows": planned,
        "plan_s": plan_s,
        "drain_s": drain,
        "loop_s": time.perf_counter() - started,
        "loop_cpu_s": cpu,
        "backlog_rows": backlog,
        "backlog_s": (backlog_done - started_at).total_seconds(),
        "rows_per_s": backlog / (backlog_done - started_at).total_seconds(),
        "last_due_lag_s": (last.queued_at - last.next_attempt_at).total_seconds(),
        "first_queued_after_s": (first_queued - started_at).total_seconds(),
    }


def _fall_due_over(session: Any, items: int, window: float) -> None:
    """Move the rows of the last tenth of the items to fall due one item after another over
    the next `window` seconds (from now, planning done)."""
    from sqlalchemy import select, update

    from worker.store.models import ContentItem, Delivery

    future = max(1, items // 10)
    now = dt.datetime.now(dt.UTC)
    for k in range(future):
        key = f"bench:{items - future + k}"
        when = now + dt.timedelta(seconds=window * (k + 1) / future)
        item_id = session.scalar(select(ContentItem.id).where(ContentItem.key == key))
        session.execute(
            update(Delivery)
            .where(Delivery.item_id == item_id)
            .values(due_at=when, next_attempt_at=when)
        )


def _runtime(database_url: str, items: int) -> Any:
    """A Runtime on the real clock, its items published a minute apart, the newest 2 min ago."""
    from sqlalchemy import insert

    from benchmarks.fixtures import fanout_config, item_rows
    from worker.engine.runtime import Runtime
    from worker.store.db import create_schema, make_engine, session_factory
    from worker.store.models import ContentItem

    engine = make_engine(database_url)
    create_schema(engine)
    now = dt.datetime.now(dt.UTC)
    config = fanout_config(UNITS, KINDS)
    campaign = config.campaigns["bench"]
    today = now.date()
    campaign = dataclasses.replace(
        campaign, start=today - dt.timedelta(days=7), end=today + dt.timedelta(days=7)
    )
    config = dataclasses.replace(config, campaigns={"bench": campaign})
    rows = item_rows(items, now - dt.timedelta(minutes=items + 1))
    with engine.begin() as c:
        c.execute(insert(ContentItem), rows)
    outbox = Path(tempfile.gettempdir()) / "loa-bench-outbox"
    return Runtime(config, engine, session_factory(engine), outbox)


def scenario(ctx: Context) -> list[Figure]:
    mode = "quick" if ctx.quick else "full"
    items, window = ITEMS[mode], WINDOW[mode]
    runs = []
    for _ in range(ctx.runs):
        with env.redis_namespace() as ns, env.pg_database() as url:
            args = {"database_url": url, "items": items, "window": window}
            environ = env.child_env(namespace=ns)
            runs.append(dict(env.run_child("backlog", args, environ, TIMEOUT + 600)))
    n = UNITS * len(KINDS) * items
    return [
        Figure(
            "backlog.rate",
            "backlog",
            f"scheduler queues the {n * 9 // 10:,} rows already due of {n:,}, PostgreSQL + Redis",
            "rows/s",
            [r["rows_per_s"] for r in runs],
            extra={"runs": runs},
        ),
        Figure(
            "backlog.lag",
            "backlog",
            f"  lag of the last row due (due {window:g} s after the start) when queued",
            "s",
            [r["last_due_lag_s"] for r in runs],
            higher_is_better=False,
        ),
        Figure(
            "backlog.drain",
            "backlog",
            "  whole backlog queued after",
            "s",
            [r["drain_s"] for r in runs],
            higher_is_better=False,
        ),
    ]
