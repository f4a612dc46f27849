"""Profile SMS deliveries in one process against bare requests (not part of `benchmarks.run`).

    python -m benchmarks.profile_sms [UNITS] [--recipients R] [--postgres] [--smsbox URL] [--top 25]

Starts the benchmark smsbox (benchmarks.servers), or uses a running Kannel (`--smsbox`), plans
UNITS SMS deliveries of R numbers each (batches of 50), then on one thread: posts the same
batches with a bare `requests.Session` before and after loa's run (wall and CPU per batch, both
runs together: a real gateway drifts), calls `worker.engine.delivery.deliver` for the first half
of the rows unprofiled (wall and CPU per batch), and for the other half under cProfile counting
CPU time (not time spent waiting for the server or the database), whose top functions it
prints. The ratio bare/loa per batch is the single-thread form of the `sms` scenario's figure;
what loa spends beyond the bare POST is its per-batch overhead.
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import env, procs
from benchmarks.delivery import published_at
from benchmarks.fixtures import insert_items
from benchmarks.halves import deliver_in_halves
from benchmarks.sms import CREDENTIALS, batches, write_sms_config


@contextmanager
def database(scratch: Path, postgres: bool) -> Iterator[str]:
    if postgres:
        with env.pg_database() as url:
            yield url
    else:
        with env.sqlite_database(scratch) as url:
            yield url


def bare(config: Path) -> tuple[int, float, float]:
    """(batches, wall s, CPU s) of one requests.Session posting every batch in turn."""
    import requests

    jobs = batches(str(config))
    session = requests.Session()
    wall, cpu = time.perf_counter(), time.process_time()
    for url, body, headers in jobs:
        response = session.post(url, data=body, headers=headers, timeout=(3.05, 20.0))
        assert response.status_code == 202
    return len(jobs), time.perf_counter() - wall, time.process_time() - cpu


@contextmanager
def smsbox(scratch: Path, endpoint: str | None) -> Iterator[str]:
    """The benchmark's fake smsbox, or a running Kannel's smsbox at `endpoint` (its base URL)."""
    if endpoint:
        yield endpoint.rstrip("/")
        return
    with procs.http_server("smsbox", scratch) as url:
        yield url


def run(units: int, recipients: int, postgres: bool, top: int, endpoint: str | None) -> str:
    os.environ.pop("REDIS_URL", None)
    for name, value in CREDENTIALS.items():
        os.environ.setdefault(name, value)
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        with smsbox(scratch, endpoint) as url, database(scratch, postgres) as db:
            config = write_sms_config(scratch / "config", url, units, recipients)
            first = bare(config)
            per_batch = recipients // 50
            loa = deliver_all(config, db, scratch, top)
            second = bare(config)  # once before and once after loa's run: a gateway drifts
    posts = first[0] + second[0]
    bare_wall, bare_cpu = first[1] + second[1], first[2] + second[2]
    half_batches = loa["count"] * per_batch
    lines = [
        f"{units} deliveries x {recipients} numbers, {posts // 2} batches of 50"
        f" ({'PostgreSQL' if postgres else 'SQLite'})",
        f"bare requests (before and after loa): {bare_wall / posts * 1000:.2f} ms wall,"
        f" {bare_cpu / posts * 1000:.2f} ms CPU per batch",
        f"loa deliver(): {loa['wall'] / half_batches * 1000:.2f} ms wall,"
        f" {loa['cpu'] / half_batches * 1000:.2f} ms CPU per batch (unprofiled half)",
        f"ratio, bare/loa per batch (wall): {bare_wall / posts / (loa['wall'] / half_batches):.2f}",
        f"published: {loa['published']} of {units}",
        "",
        loa["profile"],
    ]
    return "\n".join(lines)


def deliver_all(config: Path, db: str, scratch: Path, top: int) -> dict[str, Any]:

    from worker.engine.planner import plan
    from worker.engine.runtime import build_runtime
    from worker.store import queries

    rt = build_runtime(config, db, outbox=scratch / "out")
    insert_items(rt.engine, 1, published_at())
    now = rt.now()
    with rt.sessions.begin() as s:
        plan(s, rt.config, now)
    with rt.sessions.begin() as s:
        ids = [i for i, _ in queries.promote_due(s, now, limit=100_000)]
    halves = deliver_in_halves(rt, ids, time.process_time)  # CPU, not waiting on the server
    out = io.StringIO()
    stats = pstats.Stats(halves.profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(r"/(worker|channels|campaigns)/", top)
    return {
        "count": halves.count,
        "wall": halves.wall,
        "cpu": halves.cpu,
        "published": halves.published,
        "profile": out.getvalue(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("units", nargs="?", type=int, default=40)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--smsbox",
        help="a running Kannel smsbox (http://HOST:PORT) instead of the fake; its sendsms user"
        " in $LOA_BENCH_KANNEL_USER and $LOA_BENCH_KANNEL_PASS",
    )
    args = parser.parse_args()
    print(run(args.units, args.recipients, args.postgres, args.top, args.smsbox))


if __name__ == "__main__":
    main()
