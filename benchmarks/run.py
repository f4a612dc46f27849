"""Run loa's benchmarks: `python -m benchmarks.run [--quick] [--only NAME] [--json PATH]`.

Prints a table (each figure: median, min..max of its runs, beside its baseline and the ratio)
and writes JSON with the machine, the versions, the git commit, every run and every target.
Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (trust auth); each run makes
its own database and Redis namespace and removes them afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import env
from benchmarks.results import Context, Figure, Target, as_json, evaluate, markdown, table

SCENARIOS = (
    "fanout",
    "quiet",
    "backlog",
    "delivery",
    "sms",
    "slides",
    "recovery",
    "memory",
    "hanging",
    "ingest",
    "dlr",
)


def _recovery_baseline(figures: dict[str, Figure]) -> tuple[bool, str]:
    base = figures.get("recovery.dramatiq")
    if base is None or not base.runs:
        return True, "dramatiq baseline not measured (skipped with --quick): loa's figure only"
    ok = base.median >= 60 or base.capped
    shown = f">{base.median:g}" if base.capped else f"{base.median:.1f}"
    return ok, f"dramatiq default {shown} s (goal >= 60 s)"


TARGETS = [
    Target(
        "a quiet tick's planning < 50 ms (1M rows, PostgreSQL)", "quiet.plan", "value", "<=", 50.0
    ),
    Target("start-up: loa --help < 0.3 s", "startup.help", "value", "<=", 0.3),
    Target("start-up: loa check on the example < 1.5 s", "startup.check", "value", "<=", 1.5),
    Target(
        "memory: loa run --once embedded on the example < 150 MB peak RSS",
        "memory.embedded",
        "value",
        "<=",
        150.0,
    ),
    Target("a burst of 10,000 valid delivery reports loses none", "dlr.lost", "value", "<=", 0),
    Target("fan-out >= 0.7 x dramatiq pipelined enqueue", "fanout.pg", "ratio", ">=", 0.7),
    Target("delivery end to end >= 0.5 x bare requests loop", "delivery.loa", "ratio", ">=", 0.5),
    Target("SMS via Kannel >= 0.8 x bare requests, same batches", "sms.loa", "ratio", ">=", 0.8),
    Target(
        "delivery CPU per delivery <= 2 x bare requests' CPU per post",
        "delivery.cpu.loa",
        "ratio",
        "<=",
        2.0,
    ),
    Target(
        "backlog: the last row to fall due is queued within 2 tick intervals (20 s) of it",
        "backlog.lag",
        "value",
        "<=",
        20.0,
    ),
    Target(
        "recovery < 15 s where dramatiq's default >= 60 s",
        "recovery.loa",
        "value",
        "<",
        15.0,
        also=_recovery_baseline,
    ),
    Target(
        "healthy throughput with a hanging target >= 0.8 x without",
        "hanging.with",
        "ratio",
        ">=",
        0.8,
    ),
    Target(
        "planner memory flat within 20 % (10x the rows: 100k -> 1M in full)",
        "fanout.mem.large",
        "ratio",
        "<=",
        1.2,
    ),
    Target(
        "180 healthy feeds beside 20 dripping ones in within 1.5 x their time alone",
        "ingest.healthy",
        "ratio",
        "<=",
        1.5,
    ),
    Target(
        "a tick with 20 of 200 feeds dripping ends within feed_deadline + 10 %",
        "ingest.tick",
        "ratio",
        "<=",
        1.1,
    ),
]


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for name in ("dramatiq", "sqlalchemy", "redis", "psycopg", "requests", "PIL"):
        try:
            out[name] = str(getattr(importlib.import_module(name), "__version__", "?"))
        except ImportError:
            out[name] = "not installed"
    out["redis-server"] = _redis_server()
    out["postgresql"] = _postgres_server()
    return out


def _redis_server() -> str:
    import redis

    try:
        return str(redis.Redis.from_url(env.REDIS_URL).info("server")["redis_version"])
    except redis.RedisError as e:
        return f"unreachable ({e})"


def _postgres_server() -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(env.PG_ADMIN)
    try:
        with engine.connect() as c:
            return str(c.scalar(sa.text("SHOW server_version")))
    except sa.exc.SQLAlchemyError as e:
        return f"unreachable ({type(e).__name__})"
    finally:
        engine.dispose()


def git_commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=env.ROOT, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "loadavg_at_start": os.getloadavg(),
        "background_cpu_at_start": background_cpu(),
        "versions": versions(),
        "git": git_commit(),
    }


BUSY = 0.25
"""Share of all CPUs used by other work, measured while no benchmark runs, that we flag."""


def background_cpu(window: float = 0.5) -> float:
    """Share of all CPUs busy over `window` seconds while this benchmark is idle (/proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields), idle

    total0, idle0 = sample()
    time.sleep(window)
    total1, idle1 = sample()
    return round(1 - (idle1 - idle0) / max(total1 - total0, 1), 3)


def run_scenario(name: str, ctx: Context) -> tuple[list[Figure], dict[str, Any]]:
    scenario: Callable[[Context], list[Figure]] = importlib.import_module(
        f"benchmarks.{name}"
    ).scenario
    background = background_cpu()
    started = time.perf_counter()
    print(f"[{name}] running ({'quick' if ctx.quick else 'full'})...", file=sys.stderr, flush=True)
    figures = scenario(ctx)
    info: dict[str, Any] = {
        "seconds": round(time.perf_counter() - started, 1),
        "background_cpu_before": background,
        "background_cpu_after": background_cpu(),
    }
    if max(info["background_cpu_before"], info["background_cpu_after"]) > BUSY:
        info["warning"] = "other work was using the CPU around this scenario: figures may be low"
    print(f"[{name}] done in {info['seconds']} s", file=sys.stderr, flush=True)
    return figures, info


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small sizes: under 2 minutes")
    p.add_argument("--only", help=f"comma-separated scenarios: {', '.join(SCENARIOS)}")
    p.add_argument(
        "--json", type=Path, help="where to write the JSON (default benchmarks/results/)"
    )
    p.add_argument(
        "--runs",
        type=int,
        help="runs per figure (default 3; 1 with --quick, a smoke test that must stay under 2 min)",
    )
    p.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    p.add_argument(
        "--profile",
        action="store_true",
        help="delivery: one more untimed run under cProfile; prints its top functions",
    )
    args = p.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(SCENARIOS)
    unknown = [c for c in chosen if c not in SCENARIOS]
    if unknown:
        p.error(f"unknown scenario(s) {unknown}; choose from {', '.join(SCENARIOS)}")
    args.scenarios = chosen
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    return args


def document_mode(args: argparse.Namespace) -> str:
    return "quick" if args.quick else "full"


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = dt.datetime.now(dt.UTC)
    scratch = Path(tempfile.mkdtemp(prefix="loa-bench-"))
    ctx = Context(quick=args.quick, scratch=scratch, runs=args.runs, profile=args.profile)
    figures: list[Figure] = []
    scenarios: dict[str, Any] = {}
    info = machine()
    try:
        for name in args.scenarios:
            try:
                found, scenarios[name] = run_scenario(name, ctx)
            except Exception as e:  # one broken scenario must not lose the others' figures
                traceback.print_exc()
                scenarios[name] = {"error": f"{type(e).__name__}: {e}"}
                continue
            figures += found
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    by_key = {f.key: f for f in figures}
    targets = [evaluate(t, by_key) for t in TARGETS]
    print(f"{document_mode(args)}: median of {args.runs} run(s) per figure, min..max beside it")
    print(table(figures))
    print()
    for t in targets:
        verdict = {True: "MET", False: "MISSED", None: "n/a"}[t["met"]]
        print(f"{verdict:7s} {t['name']}: {t['detail']}")
    if args.markdown:
        print()
        print(markdown(figures))
    document = {
        "mode": document_mode(args),
        "started": started.isoformat(),
        "seconds": round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1),
        "runs": args.runs,
        "machine": info,
        "scenarios": scenarios,
        "figures": as_json(figures),
        "targets": targets,
    }
    path = args.json or env.ROOT / "benchmarks" / "results" / f"{started:%Y%m%dT%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str), "utf-8")
    print(f"\nwrote {path}", file=sys.stderr)
    failed = [name for name, info in scenarios.items() if "error" in info]
    if failed:
        print(f"FAILED scenarios: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
