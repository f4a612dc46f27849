"""Profile one process delivering N webhook deliveries in-process (not part of `benchmarks.run`).

    python -m benchmarks.profile_delivery [N] [--postgres] [--top 25]

Starts the benchmark HTTP server (benchmarks.servers, webhook mode), plans N deliveries (N
units x 1 webhook target x 1 item) on a SQLite file (or a scratch PostgreSQL database with
`--postgres`: the hot path's kept connection and single statements), promotes them, then calls
`worker.engine.delivery.deliver` for each on one thread: first N/2 unprofiled for the CPU
figure (process time per delivery), then N/2 under cProfile, whose top functions it prints.
No broker is involved (deliver() is what the actor calls).
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import tempfile
from pathlib import Path

from benchmarks import procs
from benchmarks.delivery import published_at, write_webhook_config
from benchmarks.fixtures import insert_items
from benchmarks.halves import deliver_in_halves
from benchmarks.profile_sms import database


def run(count: int, top: int, postgres: bool = False) -> str:
    os.environ.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        with procs.http_server("webhook", scratch) as url, database(scratch, postgres) as db:
            root = write_webhook_config(scratch / "config", url, units=count)
            from worker.engine.runtime import build_runtime
            from worker.store import queries

            rt = build_runtime(root, db, outbox=scratch / "out")
            insert_items(rt.engine, 1, published_at())
            from worker.engine.planner import plan

            now = rt.now()
            with rt.sessions.begin() as s:
                plan(s, rt.config, now)
            with rt.sessions.begin() as s:
                ids = [i for i, _ in queries.promote_due(s, now, limit=count)]
            halves = deliver_in_halves(rt, ids)
    out = io.StringIO()
    pstats.Stats(halves.profiler, stream=out).sort_stats("tottime").print_stats(top)
    per = halves.cpu / max(halves.count, 1) * 1000
    head = f"{len(ids)} deliveries, {halves.published} published; CPU per delivery (unprofiled"
    return head + f" half): {per:.2f} ms\n" + out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    print(run(args.count, args.top, args.postgres))


if __name__ == "__main__":
    main()
