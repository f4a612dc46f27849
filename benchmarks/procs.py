"""Helper processes a measurement drives: the local HTTP server and gated dramatiq workers."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import env


@contextlib.contextmanager
def http_server(mode: str, scratch: Path, delay: float = 0.0) -> Iterator[str]:
    """The benchmark server (benchmarks.servers) in its own process; yields its base URL."""
    port_file = scratch / f"port-{env.token()}"
    args = [env.PYTHON, "-m", "benchmarks.servers", mode, "--port-file", str(port_file)]
    proc = env.spawn(
        [*args, "--delay", str(delay)], env.child_env(), scratch / f"server-{mode}.log"
    )
    try:
        env.wait_for(lambda: port_file.exists() and port_file.read_text(), 30, what="server port")
        yield f"http://127.0.0.1:{int(port_file.read_text())}"
    finally:
        env.stop(proc)
        port_file.unlink(missing_ok=True)


def server_stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/_stats", timeout=10) as answer:  # loopback only
        return dict(json.loads(answer.read()))


@dataclass
class Workers:
    """Worker processes started behind a gate; `go()` opens it for all of them at once."""

    module: str
    environ: Mapping[str, str]
    scratch: Path
    threads: int = 8
    warm: bool = False
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    gate: Path = field(init=False)

    def __post_init__(self) -> None:
        self.gate = self.scratch / f"go-{env.token()}"

    def start(self, count: int, timeout: float = 120) -> list[subprocess.Popen[bytes]]:
        """Start `count` more processes and wait until each is ready."""
        started, ready_files = [], []
        for _ in range(count):
            ready = self.scratch / f"ready-{env.token()}"
            args = [env.PYTHON, "-m", "benchmarks.workerproc", self.module]
            args += ["--threads", str(self.threads), "--ready", str(ready), "--go", str(self.gate)]
            args += ["--warm"] if self.warm else []
            log = self.scratch / f"worker-{self.module}.log"
            started.append(env.spawn(args, self.environ, log))
            ready_files.append(ready)
        self.procs += started
        for proc, ready in zip(started, ready_files, strict=True):
            env.wait_for(lambda r=ready, p=proc: r.exists() or p.poll() is not None, timeout)
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.scratch}")
        return started

    def go(self) -> None:
        self.gate.write_text("go")

    def cpu_seconds(self) -> float:
        """CPU the live processes have used so far, all together."""
        return sum(env.cpu_seconds(p.pid) for p in self.procs if p.poll() is None)

    def peak_rss_kb(self) -> list[int]:
        return [env.peak_rss_kb(p.pid) for p in self.procs if p.poll() is None]

    def stop(self) -> None:
        """SIGTERM every process first, then wait for each: they wind down side by side."""
        for proc in self.procs:
            if proc.poll() is None:
                env.kill_group(proc, signal.SIGTERM)
        for proc in self.procs:
            env.stop(proc)
        self.gate.unlink(missing_ok=True)


@contextlib.contextmanager
def workers(
    module: str, environ: Mapping[str, str], scratch: Path, threads: int, warm: bool = False
) -> Iterator[Workers]:
    pool = Workers(module, environ, scratch, threads, warm)
    try:
        yield pool
    finally:
        pool.stop()
