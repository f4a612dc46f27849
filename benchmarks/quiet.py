"""Scenario quiet: what a tick's planning costs when nothing changed, on PostgreSQL.

1,000 units x 6 targets (one per channel kind) x N items are planned and committed (1,200,000
rows in full, 60,000
with --quick); then `planner.plan` runs again with nothing new, as every quiet tick does: it
reads the campaigns' marks and the items' heads and stops. The baseline is the same call with
`full=True` (`loa plan --full`), which is what every tick paid before incremental planning:
every campaign's items crossed with its targets again, each row meeting ON CONFLICT DO NOTHING.
Only the planning step of a tick is timed (promotion, leases and the rest have their own
queries and figures).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks import env
from benchmarks.results import Context, Figure
from campaigns.model import CHANNEL_KINDS

UNITS = 1000
KINDS = len(CHANNEL_KINDS)  # fanout_config gives every unit one target of each kind
ITEMS = {"full": 200, "quick": 10}
QUIET_RUNS = 7


def quiet_task(database_url: str, items: int) -> dict[str, Any]:
    """Plan everything once; then time quiet plans (median of QUIET_RUNS) and one full re-plan."""
    from benchmarks.fanout import NOW, _runtime
    from worker.engine.planner import plan

    rt = _runtime(database_url, UNITS, items)
    started = time.perf_counter()
    with rt.sessions.begin() as s:
        planned = plan(s, rt.config, NOW)
    first = time.perf_counter() - started
    quiet = []
    for _ in range(QUIET_RUNS):
        started = time.perf_counter()
        with rt.sessions.begin() as s:
            assert plan(s, rt.config, NOW) == 0
        quiet.append(time.perf_counter() - started)
    started = time.perf_counter()
    with rt.sessions.begin() as s:
        assert plan(s, rt.config, NOW, full=True) == 0
    full = time.perf_counter() - started
    rt.engine.dispose()
    return {"rows": planned, "first_s": first, "quiet_s": quiet, "full_s": full}


def scenario(ctx: Context) -> list[Figure]:
    items = ITEMS["quick" if ctx.quick else "full"]
    runs = []
    for _ in range(1 if ctx.quick else ctx.runs):
        with env.pg_database() as url:
            args = {"database_url": url, "items": items}
            runs.append(dict(env.run_child("quiet-plan", args, env.child_env(), 3600)))
    n = UNITS * KINDS * items
    return [
        Figure(
            "quiet.plan",
            "quiet",
            f"quiet tick's plan(), nothing new, {n:,} rows, PostgreSQL (median of {QUIET_RUNS})",
            "ms",
            [statistics.median(r["quiet_s"]) * 1000 for r in runs],
            higher_is_better=False,
            baseline="quiet.full",
            extra={"runs": runs},
        ),
        Figure(
            "quiet.full",
            "quiet",
            f"plan(full=True), nothing new, {n:,} rows (every tick before)",
            "ms",
            [r["full_s"] * 1000 for r in runs],
            higher_is_better=False,
        ),
    ]
