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
import importlib
import signal
import threading
import time
from pathlib import Path
from types import FrameType

import dramatiq

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


if __name__ == "__main__":
    main()
