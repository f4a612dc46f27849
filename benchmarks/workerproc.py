"""One dramatiq worker process, as `dramatiq MODULE -p 1 -t THREADS` runs it, with a start gate.

`python -m benchmarks.workerproc MODULE --threads T --ready FILE --go FILE [--warm]`

It imports MODULE (which sets the broker), boots, writes FILE `--ready`, and starts consuming
only once `--go` exists, so every process of a measurement starts at the same moment and
interpreter start-up is not timed. Prefetch is dramatiq's default (2 x threads) unless the
environment sets `dramatiq_queue_prefetch`. SIGTERM stops it as dramatiq's own command does. Our own
launcher rather than the `dramatiq` command because that command stops the whole pool when one
process dies, and the recovery scenario kills one on purpose.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import os
import signal
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

GATE_TIMEOUT = 600.0


def wait_for_gate(path: Path, timeout: float = GATE_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"no go signal ({path}) after {timeout:.0f} s")
        time.sleep(0.002)


def warm_loa() -> None:
    """Build loa's runtime before the gate, as a long-running worker has long done."""
    from worker.engine.runtime import current

    rt = current()
    for target in rt.config.targets.values():
        rt.transport(target)


class Profiling(Middleware):
    """cProfile around each message on each worker thread (`LOA_BENCH_PROFILE`: a folder),
    timed by the thread's CPU clock; every thread's profile is written there when the process
    stops. Not for timed runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.local = threading.local()
        self.profiles: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    def _profile(self) -> cProfile.Profile:
        profile = getattr(self.local, "profile", None)
        if profile is None:
            # CPU time of this thread: waits (sockets, the GIL) are not counted as work
            profile = self.local.profile = cProfile.Profile(time.thread_time)
            with self.lock:
                self.profiles.append(profile)
        return profile

    def before_process_message(self, broker: Any, message: Any) -> None:
        self._profile().enable()

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        self._profile().disable()

    def dump(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for n, profile in enumerate(self.profiles):
            profile.dump_stats(self.folder / f"{os.getpid()}-{n}.prof")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("module")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--ready", type=Path, required=True)
    parser.add_argument("--go", type=Path, required=True)
    parser.add_argument("--warm", action="store_true")
    args = parser.parse_args()
    importlib.import_module(args.module)
    if args.warm:
        warm_loa()
    broker = dramatiq.get_broker()
    folder = os.environ.get("LOA_BENCH_PROFILE")
    profiling = Profiling(Path(folder)) if folder else None
    if profiling is not None:
        broker.add_middleware(profiling)
    broker.emit_after("process_boot")
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker = dramatiq.Worker(
        broker,
        worker_threads=args.threads,
    )
    args.ready.write_text("ready")
    wait_for_gate(args.go)
    worker.start()
    stop.wait()
    worker.stop(timeout=10_000)
    broker.emit_before("process_stop")
    broker.close()
    if profiling is not None:
        profiling.dump()


if __name__ == "__main__":
    main()
