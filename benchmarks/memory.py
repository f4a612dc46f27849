"""Scenario 6, memory: peak RSS of `loa run --once` in embedded mode on the shipped example.

Start-up: the wall time of `loa --help` and of `loa check` on the example, each the best of 5
(interpreter start included; a busy machine only ever adds to it).

(The worker's peak RSS after N deliveries comes from scenario 2's worker processes.)
Embedded means what `make run` does: SQLite file, dramatiq's in-process broker (no REDIS_URL),
worker threads inside `loa run`. The baseline is `loa check` on the same config: the process
that only loads and validates it. Peak RSS is taken with wait4, so no psutil is needed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks import env
from benchmarks.results import Context, Figure

EXAMPLE = env.ROOT / "config"
EXAMPLE_NOW = "2024-12-31T16:00:00+07:00"
LOA = str(Path(env.PYTHON).parent / "loa")


def _embedded_env(folder: Path) -> dict[str, str]:
    environ = env.child_env(
        database_url=f"sqlite:///{folder / 'loa.db'}", LOA_OUTBOX=str(folder / "outbox")
    )
    environ.pop("LOA_REDIS_NAMESPACE", None)
    return environ


def measure(args: list[str], ctx: Context) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one `loa` command in a fresh folder."""
    folder = ctx.scratch / f"embedded-{env.token()}"
    folder.mkdir()
    try:
        code, seconds, rss = env.run_command_rss(
            [LOA, "--config", str(EXAMPLE), *args], _embedded_env(folder), folder, 900
        )
        if code != 0:
            log = (folder / "command.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"loa {' '.join(args)} exited {code}\n{log}")
        return rss / 1024, seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def startup(args: list[str], ctx: Context, tries: int = 5) -> float:
    """Best wall time in seconds of `loa ARGS` over `tries` runs (start-up: min, not median)."""
    return min(measure(args, ctx)[1] for _ in range(tries))


def scenario(ctx: Context) -> list[Figure]:
    runs = 1 if ctx.quick else ctx.runs
    helps = [startup(["--help"], ctx) for _ in range(runs)]
    checks = [startup(["check"], ctx) for _ in range(runs)]
    once = [measure(["run", "--once", "--now", EXAMPLE_NOW], ctx) for _ in range(runs)]
    check = [measure(["check"], ctx) for _ in range(runs)]
    return [
        Figure(
            "startup.help",
            "memory",
            "start-up: loa --help, wall time, best of 5",
            "s",
            helps,
            higher_is_better=False,
        ),
        Figure(
            "startup.check",
            "memory",
            "start-up: loa check on the example, wall time, best of 5",
            "s",
            checks,
            higher_is_better=False,
        ),
        Figure(
            "memory.embedded",
            "memory",
            "loa run --once, embedded, shipped example",
            "MB",
            [rss for rss, _ in once],
            higher_is_better=False,
            baseline="memory.check",
            extra={"seconds": [s for _, s in once]},
        ),
        Figure(
            "memory.check",
            "memory",
            "loa check, same config",
            "MB",
            [rss for rss, _ in check],
            higher_is_better=False,
            extra={"seconds": [s for _, s in check]},
        ),
    ]
