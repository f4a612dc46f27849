"""The services a benchmark uses: a throwaway PostgreSQL database, a Redis namespace, children.

Everything stays on loopback. Each run gets its own database (`loa_bench_<hex>`) and its own
Redis namespace (`loa_bench_<hex>`), both removed afterwards, so runs never see each other.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REDIS_URL = os.environ.get("LOA_BENCH_REDIS", "redis://127.0.0.1:6379/0")
PG_ADMIN = os.environ.get("LOA_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
RESULT_PREFIX = "BENCH-RESULT "


def token() -> str:
    return uuid.uuid4().hex[:10]


@contextlib.contextmanager
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database URL, dropped (with FORCE) on the way out."""
    import sqlalchemy as sa

    name = f"loa_bench_{token()}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def sqlite_database(folder: Path) -> Iterator[str]:
    path = folder / f"loa_bench_{token()}.db"
    try:
        yield f"sqlite:///{path}"
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    manager = pg_database() if kind == "postgresql" else sqlite_database(folder)
    with manager as url:
        yield url


@contextlib.contextmanager
def redis_namespace() -> Iterator[str]:
    """A namespace of our own; every key under it is deleted afterwards (never FLUSHALL)."""
    import redis

    namespace = f"loa_bench_{token()}"
    try:
        yield namespace
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{namespace}*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        client.close()


def child_env(
    *, namespace: str | None = None, database_url: str | None = None, **extra: str
) -> dict[str, str]:
    """The environment of a child: REDIS_URL set only when a namespace is given."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONHASHSEED"] = "0"
    if namespace is not None:
        env["REDIS_URL"] = REDIS_URL
        env["LOA_REDIS_NAMESPACE"] = namespace
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


@dataclass
class ChildResult:
    value: dict[str, Any]
    seconds: float
    max_rss_kb: int


def run_child(task: str, args: Mapping[str, Any], env: Mapping[str, str], timeout: float) -> Any:
    """Run `benchmarks.child TASK` in a fresh interpreter and return what it reported."""
    return run_child_measured(task, args, env, timeout).value


def run_child_measured(
    task: str, args: Mapping[str, Any], env: Mapping[str, str], timeout: float
) -> ChildResult:
    """As run_child, with the child's wall time and peak RSS (from wait4, no psutil needed)."""
    cmd = [PYTHON, "-m", "benchmarks.child", task, json.dumps(dict(args))]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=dict(env), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        raise RuntimeError(f"child {task} exceeded {timeout:.0f} s\n{err[-3000:]}") from None
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"child {task} exited {proc.returncode}\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        raise RuntimeError(f"child {task} reported nothing\n{err[-3000:]}")
    value = json.loads(lines[-1][len(RESULT_PREFIX) :])
    return ChildResult(value, seconds, int(value.get("max_rss_kb", 0)))


def run_command_rss(
    cmd: list[str], env: Mapping[str, str], cwd: Path, timeout: float
) -> tuple[int, float, int]:
    """(exit code, seconds, peak RSS in kB) of a command, its rusage taken with wait4."""
    started = time.perf_counter()
    with (cwd / "command.log").open("ab") as log:
        proc = subprocess.Popen(cmd, env=dict(env), cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, time.perf_counter() - started, int(usage.ru_maxrss)
        if time.perf_counter() > deadline:
            proc.kill()
            raise RuntimeError(f"{cmd[0]} exceeded {timeout:.0f} s")
        time.sleep(0.01)


def own_peak_rss_kb() -> int:
    """This process's peak RSS so far (Linux reports kilobytes)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def peak_rss_kb(pid: int | None = None) -> int:
    """VmHWM (peak resident set) of a live process, from /proc; our own when pid is None."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU a live process has used so far (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """User + system CPU of the children this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rss_kb(pid: int | None = None) -> int:
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def spawn(args: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A long-lived helper (server, worker) in its own process group, output to a log file."""
    with log.open("ab") as out:
        return subprocess.Popen(
            args,
            env=dict(env),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(proc: subprocess.Popen[Any], sig: int = signal.SIGKILL) -> None:
    """Signal a helper we spawned (its own process group, so its threads and children too)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def stop(proc: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds."""
    if proc.poll() is not None:
        return
    kill_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        proc.wait(timeout=5)


def wait_for(predicate: Any, timeout: float, interval: float = 0.02, what: str = "") -> float:
    """Poll until predicate() is true; returns the monotonic time it became true."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what or predicate}")
        time.sleep(interval)


def report(value: Mapping[str, Any]) -> None:
    """What a child hands back to its parent: one line on stdout, with its own peak RSS."""
    print(RESULT_PREFIX + json.dumps({**value, "max_rss_kb": own_peak_rss_kb()}), flush=True)
