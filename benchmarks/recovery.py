"""Scenario 5, recovery: `kill -9` a worker process holding in-flight deliveries; how long until
another worker has finished all of them?

Worker A (1 process x 8 threads, dramatiq's default prefetch of 16) takes all 16 deliveries: 8
posting to a slow endpoint, 8 prefetched. Worker B is already running. A is killed at t0.

- loa: the scheduler tick runs every second with lease 10 s and grace 5 s (config/loa.yaml of
  the benchmark config): rows left `sending` are looked up at the portal when their lease ends,
  rows left `queued` are enqueued again after the grace. Done when all 16 rows are published.
- baseline: dramatiq alone (default settings, no sweeper), a plain actor making the same slow
  POST. Done when every message is acked; capped, and reported as "> cap" when not done.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import env, procs
from benchmarks.delivery import published_at, queued_messages, write_webhook_config
from benchmarks.fixtures import insert_items
from benchmarks.results import Context, Figure

THREADS = 8
DELIVERIES = 2 * THREADS  # dramatiq's default prefetch for 8 threads: A holds them all
SLOW = 3.0  # seconds the endpoint holds each answer: in flight when A dies
SETTINGS = {"lease_seconds": 10, "grace_seconds": 5, "lock_seconds": 30}
TICK = 1.0
LOA_CAP = 120.0


def _wait_until_a_holds_all(
    client: Any, namespace: str, queue: str, in_flight: Callable[[], int]
) -> None:
    """A has fetched every message (its queue list is empty) and `THREADS` are executing."""
    env.wait_for(
        lambda: client.llen(f"{namespace}:{queue}") == 0 and in_flight() >= THREADS,
        60,
        0.01,
        "worker A to hold every message",
    )


def _posts(url: str) -> int:
    """POSTs the slow endpoint has received: requests really in flight, not just claimed."""
    return int(procs.server_stats(url)["posts"])


def _kill(proc: Any) -> float:
    env.kill_group(proc)
    proc.wait(timeout=10)
    return time.monotonic()


class TickLoop:
    """The scheduler, as `loa run --scheduler-only` runs it, ticking every TICK seconds."""

    def __init__(self, rt: Any) -> None:
        self.rt, self.stop, self.errors = rt, threading.Event(), 0
        self.durations: list[float] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from worker.engine.scheduler import tick

        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                tick(self.rt, ingest=False)
            except Exception:
                self.errors += 1
            self.durations.append(time.perf_counter() - started)
            self.stop.wait(TICK)

    def __enter__(self) -> TickLoop:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def loa_task(scratch: str, url: str) -> dict[str, Any]:
    import redis
    from sqlalchemy import func, select

    from worker.engine.runtime import build_runtime
    from worker.store.models import Delivery

    rt = build_runtime()
    insert_items(rt.engine, 1, published_at())
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    namespace = os.environ["LOA_REDIS_NAMESPACE"]

    def count(*states: str) -> int:
        with rt.sessions() as s:
            query = select(func.count()).select_from(Delivery).where(Delivery.state.in_(states))
            return int(s.scalar(query) or 0)

    with (
        procs.workers("worker.engine.actors", os.environ, Path(scratch), THREADS, warm=True) as b,
        procs.workers("worker.engine.actors", os.environ, Path(scratch), THREADS, warm=True) as a,
    ):
        b.start(1)
        (victim,) = a.start(1)
        a.go()
        with TickLoop(rt) as loop:
            _wait_until_a_holds_all(client, namespace, "loa_website", lambda: _posts(url))
            b.go()
            killed_wall, killed = time.time(), _kill(victim)
            leases = _lease_left(rt, killed_wall)
            done = env.wait_for(lambda: count("published") == DELIVERIES, LOA_CAP, 0.05, "recovery")
        with rt.sessions() as s:
            states = dict(
                s.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all()
            )
            finished = list(s.execute(select(Delivery.reason, Delivery.published_at)).all())
    rt.engine.dispose()
    return {
        "seconds": done - killed,
        "states": states,
        "tick_errors": loop.errors,
        "lease_left_at_kill_s": leases,
        "tick_s": {"count": len(loop.durations), "max": round(max(loop.durations), 2)},
        "paths": _paths(finished, killed_wall),
    }


def _lease_left(rt: Any, at: float) -> list[float]:
    """Seconds each `sending` row's lease still had when A was killed."""
    from sqlalchemy import select

    from worker.store.models import Delivery

    with rt.sessions() as s:
        query = select(Delivery.lease_until).where(Delivery.state == "sending")
        return sorted(round(u.timestamp() - at, 2) for u in s.scalars(query) if u is not None)


def _paths(rows: list[Any], killed: float) -> dict[str, dict[str, float]]:
    """How each row finished (looked up after its lease, or sent again), seconds after the kill."""
    out: dict[str, list[float]] = {}
    for reason, published in rows:
        found = (reason or "").startswith("found published")
        path = "found by lookup after lease" if found else "delivered by B"
        out.setdefault(path, []).append(published.timestamp() - killed)
    return {k: {"rows": len(v), "last_s": round(max(v), 2)} for k, v in out.items()}


def dramatiq_task(scratch: str, url: str, cap: float) -> dict[str, Any]:
    import redis

    from benchmarks.noop import SLOW_QUEUE, slow_post

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    namespace = os.environ["LOA_REDIS_NAMESPACE"]
    posts_before = _posts(url)
    for n in range(DELIVERIES):
        slow_post.send(n, f"{url}/hooks/slow")

    def in_flight() -> int:
        return _posts(url) - posts_before

    with (
        procs.workers("benchmarks.noop", os.environ, Path(scratch), THREADS) as b,
        procs.workers("benchmarks.noop", os.environ, Path(scratch), THREADS) as a,
    ):
        b.start(1)
        (victim,) = a.start(1)
        a.go()
        _wait_until_a_holds_all(client, namespace, SLOW_QUEUE, in_flight)
        b.go()
        killed = _kill(victim)
        try:
            done = env.wait_for(
                lambda: queued_messages(client, namespace, (SLOW_QUEUE,)) == 0, cap, 0.1
            )
            seconds, finished = done - killed, True
        except TimeoutError:
            seconds, finished = cap, False
        left = queued_messages(client, namespace, (SLOW_QUEUE,))
    return {"seconds": seconds, "finished": finished, "left": left, "executions": in_flight()}


def _loa_trial(ctx: Context) -> dict[str, Any]:
    """One trial: its own slow server, config (one item to DELIVERIES units), database, Redis."""
    with (
        procs.http_server("webhook", ctx.scratch, delay=SLOW) as url,
        env.redis_namespace() as ns,
        env.pg_database() as db,
    ):
        root = ctx.scratch / f"config-recovery-{env.token()}"
        config = write_webhook_config(root, url, units=DELIVERIES, settings=SETTINGS)
        environ = env.child_env(namespace=ns, database_url=db, LOA_CONFIG=str(config))
        args = {"scratch": str(ctx.scratch), "url": url}
        return dict(env.run_child("recovery-loa", args, environ, 300))


def _dramatiq_trial(ctx: Context, cap: float) -> dict[str, Any]:
    with procs.http_server("webhook", ctx.scratch, delay=SLOW) as url, env.redis_namespace() as ns:
        args = {"scratch": str(ctx.scratch), "url": url, "cap": cap}
        return dict(
            env.run_child("recovery-dramatiq", args, env.child_env(namespace=ns), cap + 120)
        )


def scenario(ctx: Context) -> list[Figure]:
    """Trials run side by side (each its own server, database, namespace and workers): they are
    bound by timers (lease, grace, dramatiq's 60 s heartbeat timeout), not by the CPU. The
    dramatiq baseline is skipped with --quick: it always waits out its whole cap."""
    cap = 90.0
    baseline_runs = 0 if ctx.quick else ctx.runs  # --quick skips it: it takes the whole cap
    with ThreadPoolExecutor(max_workers=2 * ctx.runs) as pool:
        loa_jobs = [pool.submit(_loa_trial, ctx) for _ in range(ctx.runs)]
        base_jobs = [pool.submit(_dramatiq_trial, ctx, cap) for _ in range(baseline_runs)]
        loa = [j.result() for j in loa_jobs]
        base = [j.result() for j in base_jobs]
    return _figures(loa, base, cap)


def _figures(loa: list[dict[str, Any]], base: list[dict[str, Any]], cap: float) -> list[Figure]:
    for run in loa:
        if run["states"].get("published") != DELIVERIES:
            raise RuntimeError(f"loa did not finish every delivery: {run['states']}")
    unfinished = sum(not r["finished"] for r in base)
    return [
        Figure(
            "recovery.loa",
            "recovery",
            f"loa sweeper (lease 10 s, grace 5 s, tick {TICK:g} s), {DELIVERIES} in flight",
            "s",
            [r["seconds"] for r in loa],
            higher_is_better=False,
            baseline="recovery.dramatiq",
            extra={"runs": loa},
        ),
        Figure(
            "recovery.dramatiq",
            "recovery",
            f"dramatiq redelivery, defaults (cap {cap:g} s)",
            "s",
            [r["seconds"] for r in base],
            higher_is_better=False,
            capped=unfinished * 2 > len(base) > 0,
            note=(
                f"{unfinished} of {len(base)} runs not finished by the cap"
                if base
                else "skipped in --quick (it waits out the whole cap)"
            ),
            extra={"runs": base},
        ),
    ]
