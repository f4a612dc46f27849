"""The embedded mode: scheduler and dramatiq worker threads in one process, on any broker."""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType

import dramatiq
from dramatiq.brokers.stub import StubBroker

from worker.engine import actors, malloc, runtime
from worker.engine.broker import QUEUES, broker
from worker.engine.liveness import release_lock, retire
from worker.engine.runtime import Runtime
from worker.engine.scheduler import TickResult, recover_orphans, tick
from worker.store import queries

log = logging.getLogger(__name__)


def _drain(timeout: float = 600) -> None:
    if isinstance(broker, StubBroker):
        for q in QUEUES.values():
            broker.join(q, timeout=int(timeout * 1000), fail_fast=False)


def run_once(
    rt: Runtime, threads: int = 8, *, with_workers: bool = True, timeout: float = 600.0
) -> list[TickResult]:
    """Plan what is due now, deliver it, and return when nothing due is left unfinished.

    Raises TimeoutError if deliveries are still unfinished after `timeout` seconds.
    """
    runtime.install(rt)
    worker = start_worker(threads) if with_workers else None
    recover(rt, with_workers)
    results: list[TickResult] = []
    deadline = time.monotonic() + timeout
    stopped_cleanly = False
    try:
        while True:
            results.append(tick(rt, ingest=not results))
            _drain(timeout)
            with rt.sessions() as s:
                left = queries.count_unfinished(s, rt.now())
            if left == 0:
                stopped_cleanly = True
                return results
            if time.monotonic() > deadline:
                raise TimeoutError(f"{left} deliveries still unfinished after {timeout:.0f} s")
            time.sleep(0.05 if isinstance(broker, StubBroker) else 0.5)
    finally:
        release_lock(rt)
        if worker is not None:
            worker.stop()
        if stopped_cleanly:
            retire(rt, "scheduler", "worker")
        rt.close()


def recover(rt: Runtime, with_workers: bool) -> None:
    """With worker threads on the in-process broker, this process is the only worker there is."""
    if with_workers and isinstance(broker, StubBroker):
        recover_orphans(rt)


def start_worker(threads: int) -> dramatiq.Worker:
    assert actors.deliver is not None  # the actor (and its heartbeat) exist before the worker
    if isinstance(broker, StubBroker):
        broker.emit_after("process_boot")
    malloc.tame()  # before the worker threads make their arenas (worker/engine/malloc.py)
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker


def tick_loop(rt: Runtime, interval: float, stop: threading.Event, *, ingest: bool = True) -> None:
    """Start a tick every `interval` seconds until `stop` is set. A tick that took the whole
    interval or more (a backlog: `dispatch_due` stops after its budget with rows still due) is
    followed by the next at once, so a large backlog is worked through without a pause."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            tick(rt, ingest=ingest)
        except Exception:
            log.exception("scheduler tick failed; trying again next interval")
            started = time.monotonic()  # a failure waits a whole interval
        stop.wait(max(0.0, interval - (time.monotonic() - started)))


def run_forever(
    rt: Runtime, threads: int = 8, interval: float = 10.0, with_workers: bool = True
) -> None:
    """Tick every `interval` seconds until SIGTERM or SIGINT; then stop taking work and exit."""
    runtime.install(rt)
    stop = rt.stopping  # also cuts a feed poll in flight short (worker.engine.ingest)

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing what is running, then stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker = start_worker(threads) if with_workers else None
    try:
        try:
            recover(rt, with_workers)
        except Exception:  # the ticks' own sweeps still reach these rows, later
            log.exception("recovering a stopped run's deliveries failed")
        tick_loop(rt, interval, stop)
    finally:
        release_lock(rt)
        if worker is not None:
            worker.stop()
        retire(rt, "scheduler", "worker")
        rt.close()
