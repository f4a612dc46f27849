"""Real loa and dramatiq processes for a test, on Redis and PostgreSQL, always cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

BIN = Path(sys.executable).parent


class Cluster:
    """Starts processes with one environment; stops every one of them (and its children)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *argv: str | Path) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            argv,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@contextmanager
def cluster(root: Path, database_url: str, redis_db: int, outbox: Path) -> Iterator[Cluster]:
    """A unique Redis namespace per test, removed afterwards with everything started in it."""
    url = f"redis://127.0.0.1:6379/{redis_db}"
    namespace = f"loa-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": url,
        "LOA_REDIS_NAMESPACE": namespace,
        "LOA_CONFIG": str(root),
        "LOA_OUTBOX": str(outbox),
    }
    group = Cluster(env)
    try:
        yield group
    finally:
        group.stop()
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(f"{namespace}*"))
        if keys:
            client.delete(*keys)
        client.close()
