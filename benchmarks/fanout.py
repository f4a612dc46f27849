"""Scenario 1, fan-out: plan and enqueue N deliveries (units x targets x items) on real Redis.

loa's path is the scheduler's: `worker.engine.scheduler.plan_and_send` (the planner inserts
rows due now straight as `queued`, commits chunk by chunk, each chunk's `actors.enqueue`
overlapping the planning of the next), then `scheduler.dispatch_due` until nothing is due (here
nothing is left: every row is due). The memory check times `planner.plan` alone. Baselines, in
the same run: dramatiq enqueueing as many no-op messages, one `send()` at a time and pipelined
(benchmarks.pipeline).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import env
from benchmarks.fixtures import fanout_config, insert_items
from benchmarks.results import Context, Figure
from campaigns.model import CHANNEL_KINDS

NOW = dt.datetime(2024, 6, 30, 12, 0, tzinfo=dt.UTC)
PUBLISHED = dt.datetime(2024, 2, 1, 1, 0, tzinfo=dt.UTC)
KINDS = len(CHANNEL_KINDS)  # fanout_config gives every unit one target of each kind
UNITS = 1000
TICK_LOOP_SECONDS = 900.0


def loa_task(
    database_url: str, units: int, items: int, enqueue: bool = True, trace: bool = False
) -> dict[str, Any]:
    """Plan units x 6 x items deliveries and enqueue them (or, without `enqueue`, only plan and
    commit); time each phase.

    `trace` adds tracemalloc's peak of the Python heap during planning (slow: not timed then).
    """
    rt = _runtime(database_url, units, items)
    if enqueue:
        result = _plan_and_send(rt)
        result.update(_promote_and_enqueue(rt))
        result["replan_s"] = _replan(rt)
    else:
        result = _plan(rt, trace)
    result["rows"] = _count(rt)
    rt.engine.dispose()
    return result


def tick_task(database_url: str, units: int, items: int) -> dict[str, Any]:
    """The scheduler's own loop: `tick()` again and again until a tick enqueues nothing."""
    from worker.engine.scheduler import tick

    rt = _runtime(database_url, units, items)
    started = time.perf_counter()
    ticks = enqueued = 0
    finished = started
    deadline = started + TICK_LOOP_SECONDS
    while time.perf_counter() < deadline:
        done = tick(rt, ingest=False)
        ticks += 1
        if not done.enqueued:
            break
        enqueued += done.enqueued
        finished = time.perf_counter()
    rows = _count(rt)
    rt.engine.dispose()
    return {"rows": rows, "enqueued": enqueued, "ticks": ticks, "seconds": finished - started}


def _runtime(database_url: str, units: int, items: int) -> Any:
    """A Runtime on the programmatic config (fixed clock NOW), its items already ingested."""
    from worker.engine.runtime import Runtime, fixed_clock
    from worker.store.db import create_schema, make_engine, session_factory

    engine = make_engine(database_url)
    create_schema(engine)
    insert_items(engine, items, PUBLISHED)
    outbox = Path(tempfile.gettempdir()) / "loa-bench-outbox"
    return Runtime(fanout_config(units), engine, session_factory(engine), outbox, fixed_clock(NOW))


def _count(rt: Any) -> int:
    from sqlalchemy import func, select

    from worker.store.models import Delivery

    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Delivery)) or 0)


def _plan(rt: Any, trace: bool) -> dict[str, Any]:
    from worker.engine.planner import plan

    gc.collect()
    rss_before = env.rss_kb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with rt.sessions() as s:
        planned = plan(s, rt.config, NOW)
        planned_at = time.perf_counter()
        s.commit()
    committed_at = time.perf_counter()
    heap = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    return {
        "planned": planned,
        "plan_s": planned_at - started,
        "commit_s": committed_at - planned_at,
        "rss_before_kb": rss_before,
        "plan_peak_rss_kb": env.own_peak_rss_kb(),
        "heap_peak_b": heap,
        "started": started,
        "committed_at": committed_at,
    }


def _plan_and_send(rt: Any) -> dict[str, Any]:
    """The tick's planning: rows due now straight to queued, each chunk enqueued as it commits.

    Planning and enqueue overlap there, so they are timed together, not each on its own.
    """
    from worker.engine.scheduler import plan_and_send

    started = time.perf_counter()
    planned, sent = plan_and_send(rt, NOW, [])
    finished = time.perf_counter()
    return {"planned": planned, "sent": sent, "started": started, "plan_send_s": finished - started}


def _promote_and_enqueue(rt: Any) -> dict[str, Any]:
    """The scheduler's promote + enqueue step, `scheduler.dispatch_due`, until nothing is due:
    the rows planning left `planned` (none here, every row being due)."""
    from worker.engine.scheduler import dispatch_due

    started = time.perf_counter()
    promoted = 0
    while batch := dispatch_due(rt, NOW, []):
        promoted += batch
    finished = time.perf_counter()
    return {"promoted": promoted, "finished": finished, "promote_enqueue_s": finished - started}


def _replan(rt: Any) -> float:
    """What every scheduler tick pays again: planning when every row already exists."""
    from worker.engine.planner import plan

    started = time.perf_counter()
    with rt.sessions.begin() as s:
        plan(s, rt.config, NOW)
    return time.perf_counter() - started


def send_task(count: int) -> dict[str, Any]:
    """dramatiq's own enqueue: `actor.send()` one message at a time."""
    from benchmarks.noop import noop

    started = time.perf_counter()
    for n in range(count):
        noop.send(n)
    return {"count": count, "seconds": time.perf_counter() - started}


def pipelined_task(count: int) -> dict[str, Any]:
    """The same Lua enqueue, batched in a Redis pipeline."""
    from benchmarks.noop import broker, noop
    from benchmarks.pipeline import enqueue_pipelined

    started = time.perf_counter()
    done = enqueue_pipelined(broker, (noop.message(n) for n in range(count)))
    return {"count": done, "seconds": time.perf_counter() - started}


# Items per run; deliveries = UNITS x KINDS x items. The full sizes keep the whole suite near
# 20 minutes on 2 cores at the rates measured (see docs/performance.md); 1M is the memory check.
@dataclass(frozen=True)
class Sizes:
    pg: int
    sqlite: int
    tick: int
    memory: tuple[int, int]


SIZES = {"full": Sizes(10, 2, 2, (20, 200)), "quick": Sizes(1, 1, 1, (1, 10))}
# The memory check plans 1M rows three times. It was sized when PostgreSQL planned row by row,
# 4k rows/s here (over 4 minutes a run; SQLite 12k), so it runs on SQLite unless told otherwise.
MEMORY_DB = os.environ.get("LOA_BENCH_MEMORY_DB", "sqlite")


def _loa_run(ctx: Context, db: str, items: int, enqueue: bool = True) -> dict[str, Any]:
    with env.redis_namespace() as ns, env.database(db, ctx.scratch) as url:
        args = {"database_url": url, "units": UNITS, "items": items, "enqueue": enqueue}
        return dict(env.run_child("fanout-loa", args, env.child_env(namespace=ns), 3600))


def _tick_run(ctx: Context, items: int) -> dict[str, Any]:
    with env.redis_namespace() as ns, env.pg_database() as url:
        args = {"database_url": url, "units": UNITS, "items": items}
        return dict(env.run_child("fanout-tick", args, env.child_env(namespace=ns), 3600))


def _baseline_run(task: str, count: int) -> float:
    with env.redis_namespace() as ns:
        value = env.run_child(task, {"count": count}, env.child_env(namespace=ns), 3600)
    return float(value["count"]) / float(value["seconds"])


def scenario(ctx: Context) -> list[Figure]:
    sizes = SIZES["quick" if ctx.quick else "full"]
    figures = _throughput(ctx, sizes.pg, sizes.sqlite)
    figures.append(_ticks(ctx, sizes.tick))
    return figures + _memory(ctx, *sizes.memory)


def _ticks(ctx: Context, items: int) -> Figure:
    """What the scheduler itself achieves: tick() until nothing more is enqueued."""
    runs = [_tick_run(ctx, items) for _ in range(ctx.runs)]
    n = UNITS * KINDS * items
    return Figure(
        "fanout.tick",
        "fan-out",
        f"scheduler tick() loop until done, {n:,}, PostgreSQL",
        "deliveries/s",
        [r["enqueued"] / r["seconds"] for r in runs],
        baseline="fanout.pipelined",
        extra={"runs": runs},
    )


def _throughput(ctx: Context, items: int, sqlite_items: int) -> list[Figure]:
    n, n_lite = UNITS * KINDS * items, UNITS * KINDS * sqlite_items
    pg, lite, send, piped = [], [], [], []
    for _ in range(ctx.runs):  # interleaved, so a busy moment does not hit one variant only
        pg.append(_loa_run(ctx, "postgresql", items))
        send.append(_baseline_run("fanout-send", n))
        piped.append(_baseline_run("fanout-pipelined", n))
        lite.append(_loa_run(ctx, "sqlite", sqlite_items))
    figures = [
        _rate("fanout.pg", f"loa plan+commit+enqueue {n:,}, PostgreSQL", pg),
        _rate("fanout.sqlite", f"loa plan+commit+enqueue {n_lite:,}, SQLite", lite),
        Figure("fanout.send", "fan-out", f"dramatiq send() one by one, {n:,}", "msg/s", send),
        Figure("fanout.pipelined", "fan-out", f"dramatiq enqueue pipelined, {n:,}", "msg/s", piped),
    ]
    return figures + _phases(pg, "pg", "PostgreSQL") + _phases(lite, "sqlite", "SQLite")


def _rate(key: str, label: str, runs: list[dict[str, Any]]) -> Figure:
    rates = [r["rows"] / (r["finished"] - r["started"]) for r in runs]
    return Figure(
        key,
        "fan-out",
        label,
        "deliveries/s",
        rates,
        baseline="fanout.pipelined",
        extra={"runs": runs},
    )


def _phases(runs: list[dict[str, Any]], tag: str, db: str) -> list[Figure]:
    """Where the time goes: planning with enqueue, what dispatch_due had left, a no-op re-plan."""
    return [
        Figure(
            f"fanout.{tag}.plan",
            "fan-out",
            f"  plan_and_send() (plan, queued, enqueue), {db}",
            "rows/s",
            [r["rows"] / r["plan_send_s"] for r in runs],
            baseline="fanout.pipelined",
        ),
        Figure(
            f"fanout.{tag}.push",
            "fan-out",
            f"  rows left for dispatch_due() (promote + enqueue), {db}",
            "rows",
            [r["promoted"] for r in runs],
            higher_is_better=False,
        ),
        Figure(
            f"fanout.{tag}.replan",
            "fan-out",
            f"  plan() again, nothing new (each tick), {db}",
            "s",
            [r["replan_s"] for r in runs],
            higher_is_better=False,
        ),
    ]


def _memory(ctx: Context, small_items: int, large_items: int) -> list[Figure]:
    """Peak RSS of a process that only plans (MEMORY_DB), at two sizes ten times apart.

    Trials run three at a time, each in its own database: peak RSS is per process, so running
    side by side changes the time they take but not the memory they need.
    """
    with ThreadPoolExecutor(max_workers=ctx.runs) as pool:
        small = list(
            pool.map(lambda _: _loa_run(ctx, MEMORY_DB, small_items, False), range(ctx.runs))
        )
        large = list(
            pool.map(lambda _: _loa_run(ctx, MEMORY_DB, large_items, False), range(ctx.runs))
        )
    n_small, n_large = UNITS * KINDS * small_items, UNITS * KINDS * large_items

    def peak(runs: list[dict[str, Any]]) -> list[float]:
        return [r["plan_peak_rss_kb"] / 1024 for r in runs]

    def growth(runs: list[dict[str, Any]]) -> list[float]:
        return [(r["plan_peak_rss_kb"] - r["rss_before_kb"]) / 1024 for r in runs]

    def figure(key: str, label: str, values: list[float], base: str | None) -> Figure:
        return Figure(key, "fan-out", label, "MB", values, False, baseline=base)

    db = "PostgreSQL" if MEMORY_DB == "postgresql" else "SQLite"
    return [
        figure("fanout.mem.small", f"planner peak RSS, {n_small:,}, {db}", peak(small), None),
        figure(
            "fanout.mem.large",
            f"planner peak RSS, {n_large:,}, {db}",
            peak(large),
            "fanout.mem.small",
        ),
        figure(
            "fanout.grow.small", f"  RSS growth while planning {n_small:,}", growth(small), None
        ),
        figure(
            "fanout.grow.large",
            f"  RSS growth while planning {n_large:,}",
            growth(large),
            "fanout.grow.small",
        ),
    ]
