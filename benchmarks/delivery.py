"""Scenario 2, delivery throughput (and scenario 6's worker memory).

N deliveries through the webhook transport to the local fast server, by P dramatiq worker
processes x T threads running `worker.engine.actors` (claim, format, publish, record), timed from
the moment the gate opens until every message is acked. Baselines in the same run, with the same
P x T: a bare `requests.Session` loop posting the same bodies, and dramatiq draining no-ops.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
import pstats
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import env, procs
from benchmarks.fixtures import insert_items, period_around, write_config
from benchmarks.results import Context, Figure

PROCESSES, THREADS = 2, 8
UNITS = 100
TIMEOUT = 900.0
POLL = 0.02  # seconds between checks that a drain is done (5 HLEN calls, negligible load)
LOA_QUEUES = ("loa_website", "loa_screen", "loa_sms", "loa_facebook", "loa_zalo")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def published_at() -> dt.datetime:
    """When the benchmark's items appeared: yesterday 00:00 UTC, so that items a minute apart
    (fixtures.item_rows) are all due now, and every process computes the same instant."""
    return (now() - dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def webhook_targets(url: str) -> list[dict[str, Any]]:
    return [
        {
            "units": "all",
            "name": "portal",
            "kind": "website",
            "transport": "webhook",
            "endpoint": f"{url}/hooks/loa",
            "options": {"allow_http": True},
        }
    ]


def write_webhook_config(
    root: Path, url: str, *, units: int = UNITS, settings: dict[str, Any] | None = None
) -> Path:
    return write_config(
        root,
        units=units,
        targets=webhook_targets(url),
        channels=["website"],
        period=period_around(now()),
        settings=settings,
    )


# --- run inside a child process (REDIS_URL, LOA_REDIS_NAMESPACE, DATABASE_URL, LOA_CONFIG set)


def queue_everything(rt: Any, at: dt.datetime) -> int:
    """Plan, promote and enqueue every delivery (setup, not timed): loa's functions, pipelined."""
    from benchmarks.pipeline import enqueue_pipelined
    from worker.engine.actors import message_for
    from worker.engine.broker import broker
    from worker.engine.planner import plan
    from worker.store import queries

    with rt.sessions.begin() as s:
        plan(s, rt.config, at)
    total = 0
    while True:
        with rt.sessions.begin() as s:
            due = queries.promote_due(s, at)
        if not due:
            return total
        total += enqueue_pipelined(broker, (message_for(i, ch) for i, ch in due))


def queued_messages(client: Any, namespace: str, queues: Sequence[str]) -> int:
    """Messages enqueued and not yet acked, on these queues (dramatiq's `.msgs` hashes)."""
    return sum(int(client.hlen(f"{namespace}:{q}.msgs")) for q in queues)


def drain(
    module: str, queues: Sequence[str], processes: int, threads: int, scratch: str, warm: bool
) -> dict[str, Any]:
    """Open the gate for P gated worker processes and time until every message is acked."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    namespace = os.environ["LOA_REDIS_NAMESPACE"]
    count = queued_messages(client, namespace, queues)
    with procs.workers(module, os.environ, Path(scratch), threads, warm) as pool:
        pool.start(processes)
        cpu = pool.cpu_seconds()
        started = time.perf_counter()
        pool.go()
        done = env.wait_for(
            lambda: queued_messages(client, namespace, queues) == 0, TIMEOUT, POLL, "drain"
        )
        cpu = pool.cpu_seconds() - cpu
        rss = pool.peak_rss_kb()
    return {"count": count, "seconds": done - started, "worker_rss_kb": rss, "cpu_s": cpu}


def loa_task(items: int, processes: int, threads: int, scratch: str) -> dict[str, Any]:
    from sqlalchemy import func, select

    from worker.engine.runtime import build_runtime
    from worker.store.models import Delivery

    rt = build_runtime()
    insert_items(rt.engine, items, published_at())
    queued = queue_everything(rt, now())
    result = drain("worker.engine.actors", LOA_QUEUES, processes, threads, scratch, warm=True)
    with rt.sessions() as s:
        states = dict(
            s.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all()
        )
    rt.engine.dispose()
    return {**result, "queued": queued, "states": states}


def noop_task(count: int, processes: int, threads: int, scratch: str) -> dict[str, Any]:
    from benchmarks.noop import QUEUE, broker, noop
    from benchmarks.pipeline import enqueue_pipelined

    enqueue_pipelined(broker, (noop.message(n) for n in range(count)))
    return drain("benchmarks.noop", (QUEUE,), processes, threads, scratch, warm=False)


def message_bodies(config_dir: str, items: int) -> list[tuple[str, bytes, dict[str, str]]]:
    """(url, body, headers) for every (item, unit, target): the bytes loa's webhook posts."""
    from benchmarks.fixtures import item_rows
    from campaigns.config import load_config
    from campaigns.model import Item
    from channels.registry import formatter
    from channels.webhook import payload

    config = load_config(config_dir)
    out = []
    for row in item_rows(items, published_at()):
        fields = {k: row[k] for k in ("key", "kind", "title", "summary", "body_html", "link")}
        item = Item(
            **fields, published=row["published"], topics=tuple(row["topics"]), source=row["source"]
        )
        for target in config.targets.values():
            message = formatter(target.kind).format(item, config.units[target.unit], target)
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": message.reference,
            }
            out.append((f"{target.endpoint}", payload(message), headers))
    return out


def requests_task(config_dir: str, items: int, processes: int, threads: int) -> dict[str, Any]:
    """The bare loop: P processes x T threads, each thread its own requests.Session."""
    jobs = message_bodies(config_dir, items)

    def post_all(share: Sequence[tuple[str, bytes, dict[str, str]]]) -> None:
        import requests

        session = requests.Session()
        for url, body, headers in share:
            response = session.post(url, data=body, headers=headers, timeout=(3.05, 20.0))
            response.raise_for_status()
            response.json()

    cpu = env.children_cpu_seconds()
    seconds = run_split(jobs, processes, threads, post_all)
    cpu = env.children_cpu_seconds() - cpu
    return {"count": len(jobs), "seconds": seconds, "cpu_s": cpu}


def run_split(
    jobs: Sequence[Any], processes: int, threads: int, work: Callable[[Sequence[Any]], None]
) -> float:
    """Run `work` over jobs split across P forked processes x T threads, started together."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(processes + 1)
    finished = ctx.Queue()
    shares = [jobs[p::processes] for p in range(processes)]

    def process_main(share: Sequence[Any]) -> None:
        parts = [share[t::threads] for t in range(threads)]
        pool = [threading.Thread(target=work, args=(part,)) for part in parts]
        barrier.wait(timeout=120)
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        finished.put(time.perf_counter())

    children = [ctx.Process(target=process_main, args=(share,)) for share in shares]
    for child in children:
        child.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    ends = [finished.get(timeout=TIMEOUT) for _ in children]
    for child in children:
        child.join(timeout=60)
        if child.exitcode != 0:
            raise RuntimeError(f"a baseline process failed (exit {child.exitcode})")
    return float(max(ends)) - started


# --- orchestration, in the runner


def scenario(ctx: Context) -> list[Figure]:
    items = ctx.size(200, 5)
    n = UNITS * items
    loa, bare, noop = [], [], []
    with procs.http_server("webhook", ctx.scratch) as url:
        config = write_webhook_config(ctx.scratch / f"config-delivery-{env.token()}", url)
        for _ in range(ctx.runs):
            loa.append(_loa_run(ctx, config, items))
            bare.append(_bare_run(config, items))
            noop.append(_noop_run(ctx, n))
        if ctx.profile:
            _profiled_run(ctx, config, items)
    return _figures(n, loa, bare, noop)


def _profiled_run(ctx: Context, config: Path, items: int) -> None:
    """One more loa run, not counted, with cProfile on every worker thread; prints the top."""
    folder = ctx.scratch / f"profile-{env.token()}"
    _loa_run(ctx, config, items, LOA_BENCH_PROFILE=str(folder))
    files = sorted(str(f) for f in folder.glob("*.prof"))
    if not files:
        print("no profile written", file=sys.stderr)
        return
    out = io.StringIO()
    stats = pstats.Stats(*files, stream=out)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    count = UNITS * items
    text = f"cProfile of {count:,} deliveries, {len(files)} threads\n{out.getvalue()}"
    path = env.ROOT / "benchmarks" / "results" / f"profile-delivery-{env.token()}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    print(text, file=sys.stderr)
    print(f"wrote {path}", file=sys.stderr)


def _loa_run(ctx: Context, config: Path, items: int, **extra: str) -> dict[str, Any]:
    with env.redis_namespace() as ns, env.pg_database() as url:
        environ = env.child_env(namespace=ns, database_url=url, LOA_CONFIG=str(config), **extra)
        args = {"items": items, "processes": PROCESSES, "threads": THREADS}
        result = env.run_child("delivery-loa", {**args, "scratch": str(ctx.scratch)}, environ, 1800)
    if result["states"].get("published") != UNITS * items:
        raise RuntimeError(f"loa did not publish every delivery: {result['states']}")
    return dict(result)


def _bare_run(config: Path, items: int) -> dict[str, Any]:
    args = {"config_dir": str(config), "items": items, "processes": PROCESSES, "threads": THREADS}
    return dict(env.run_child("delivery-requests", args, env.child_env(), 1800))


def _noop_run(ctx: Context, n: int) -> dict[str, Any]:
    with env.redis_namespace() as ns:
        args = {"count": n, "processes": PROCESSES, "threads": THREADS, "scratch": str(ctx.scratch)}
        return dict(env.run_child("delivery-noop", args, env.child_env(namespace=ns), 1800))


def _cpu_ms(runs: list[dict[str, Any]]) -> list[float]:
    return [1000 * r["cpu_s"] / r["count"] for r in runs]


def _rates(runs: list[dict[str, Any]]) -> list[float]:
    return [r["count"] / r["seconds"] for r in runs]


def _figures(n: int, loa: list[Any], bare: list[Any], noop: list[Any]) -> list[Figure]:
    shape = f"{PROCESSES}x{THREADS}"
    return [
        Figure(
            "delivery.loa",
            "delivery",
            f"loa webhook end to end, {n:,}, {shape}",
            "deliveries/s",
            _rates(loa),
            baseline="delivery.requests",
            extra={"runs": loa},
        ),
        Figure(
            "delivery.requests",
            "delivery",
            f"bare requests.Session, {shape}",
            "posts/s",
            _rates(bare),
        ),
        Figure(
            "delivery.noop",
            "delivery",
            f"dramatiq drain no-op, {shape}",
            "msg/s",
            _rates(noop),
        ),
        Figure(
            "delivery.cpu.loa",
            "delivery",
            "  CPU per delivery, loa worker processes",
            "ms",
            _cpu_ms(loa),
            higher_is_better=False,
            baseline="delivery.cpu.requests",
        ),
        Figure(
            "delivery.cpu.requests",
            "delivery",
            "  CPU per post, bare requests processes",
            "ms",
            _cpu_ms(bare),
            higher_is_better=False,
        ),
        Figure(
            "delivery.cpu.noop",
            "delivery",
            "  CPU per message, dramatiq no-op workers",
            "ms",
            _cpu_ms(noop),
            higher_is_better=False,
        ),
        Figure(
            "memory.worker",
            "memory",
            f"worker peak RSS after {n:,} deliveries",
            "MB",
            [max(r["worker_rss_kb"]) / 1024 for r in loa],
            higher_is_better=False,
            baseline="memory.noop",
        ),
        Figure(
            "memory.noop",
            "memory",
            f"dramatiq no-op worker peak RSS after {n:,}",
            "MB",
            [max(r["worker_rss_kb"]) / 1024 for r in noop],
            higher_is_better=False,
        ),
    ]
