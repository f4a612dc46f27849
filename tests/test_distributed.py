"""Distributed mode with real processes: one scheduler, two dramatiq workers, Redis, PostgreSQL.

Every delivery is published exactly once, both workers share the work, and a target's rate
limit (per second and concurrency) holds across the two processes because it lives in Redis.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.fakes.base import Request, Response
from tests.fakes.webhook import FakeWebhook
from tests.processes import cluster
from tests.services import need, port_open
from worker.engine.runtime import Runtime, build_runtime
from worker.store.models import FINAL_STATES, PUBLISHED, Attempt, Delivery

BIN = Path(sys.executable).parent
REDIS_DB = 14
UNITS = [f"xa-{i:02d}" for i in range(2)]
ITEMS = 150
RATE, CONCURRENCY = 20, 2


class MeteredHook(FakeWebhook):
    """A portal that notes when each post arrived, for which target, and how many overlapped.

    Each target posts with its unit code as slug prefix, so the Idempotency-Key names it.
    """

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.arrivals: list[tuple[float, str, str]] = []
        self.in_flight: Counter[str] = Counter()
        self.most_in_flight: Counter[str] = Counter()

    def receive(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key", "")
        target = key.rsplit("-", 1)[0]
        with self.lock:
            self.arrivals.append((time.time(), target, key))
            self.in_flight[target] += 1
            self.most_in_flight[target] = max(self.most_in_flight[target], self.in_flight[target])
        try:
            time.sleep(self.delay)  # long enough that posts would overlap if nothing held them
            return super().receive(request)
        finally:
            with self.lock:
                self.in_flight[target] -= 1


@pytest.fixture
def hook() -> Iterator[MeteredHook]:
    fake = MeteredHook(delay=0.03)
    with fake.running():
        yield fake


@pytest.fixture
def start(
    tmp_path: Path, pg_url: str, hook: MeteredHook
) -> Iterator[tuple[Runtime, Callable[..., subprocess.Popen[bytes]]]]:
    """The runtime to watch the database with, and a way to start processes on the cluster."""
    need(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    published = [dt.datetime(2025, 1, 1, tzinfo=TZ) + dt.timedelta(hours=i) for i in range(ITEMS)]
    options = {"allow_http": True, "timeout": [2, 5], "rate_per_second": RATE}
    root = write_config(
        tmp_path / "config",
        units=[{"code": code, "name": f"UBND {code}", "kind": "commune"} for code in UNITS],
        published=published,
        targets=[
            {
                "unit": code,
                "kind": "website",
                "transport": "webhook",
                "endpoint": hook.hook,
                "options": {**options, "concurrency": CONCURRENCY, "slug_prefix": code},
            }
            for code in UNITS
        ],
        campaigns=[
            campaign(channels=["website"], period={"start": "2025-01-01", "end": "2099-12-31"})
        ],
        settings={"grace_seconds": 30, "lock_seconds": 30},
    )
    with cluster(root, pg_url, REDIS_DB, tmp_path / "outbox") as group:
        yield build_runtime(root, pg_url), group.start


def all_final(rt: Runtime) -> bool:
    with rt.sessions() as s:
        total = s.scalar(select(func.count()).select_from(Delivery))
        done = s.scalar(select(func.count()).where(Delivery.state.in_(FINAL_STATES)))
    return total == len(UNITS) * ITEMS and done == total


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.mark.redis
@pytest.mark.postgres
def test_two_worker_processes_publish_everything_once_within_each_targets_shared_limits(
    start: tuple[Runtime, Callable[..., subprocess.Popen[bytes]]], hook: MeteredHook
) -> None:
    rt, starting = start
    workers = [
        starting(BIN / "dramatiq", "worker.engine.actors", "--processes", "1", "--threads", "4")
        for _ in range(2)
    ]
    starting(BIN / "loa", "run", "--scheduler-only", "--interval", "1")
    took = wait_until(lambda: all_final(rt), 90, "every delivery to be published")
    assert all(w.poll() is None for w in workers), "a worker process died"

    with rt.sessions() as s:
        states = Counter(s.scalars(select(Delivery.state)))
        rows = s.execute(
            select(Delivery.target, Attempt.worker)
            .join(Attempt, Attempt.delivery_id == Delivery.id)
            .where(Attempt.outcome == PUBLISHED)
        ).all()
    by_target: dict[str, set[str]] = {}
    for target, name in rows:
        by_target.setdefault(target, set()).add(name or "?")
    with hook.lock:
        arrivals = list(hook.arrivals)
        most_in_flight = dict(hook.most_in_flight)

    per_second = Counter((target, int(at)) for at, target, _ in arrivals)
    busiest = max(per_second.values())
    print(
        f"\n{len(arrivals)} posts in {took:.1f} s; busiest second for one target: {busiest}; "
        f"most in flight per target: {most_in_flight}"
    )
    assert states == {PUBLISHED: len(UNITS) * ITEMS}
    posts_per_key = Counter(key for _, _, key in arrivals)
    assert len(posts_per_key) == len(UNITS) * ITEMS
    assert set(posts_per_key.values()) == {1}
    assert len(set().union(*by_target.values())) == 2, by_target
    assert any(len(names) == 2 for names in by_target.values()), by_target
    assert set(most_in_flight) == set(UNITS)
    assert max(most_in_flight.values()) <= CONCURRENCY
    # The limiter counts per wall-clock second when a slot is taken; a post that took its slot
    # just before a second ended may arrive just after, and at most CONCURRENCY can be in flight.
    assert busiest <= RATE + CONCURRENCY, per_second.most_common(3)
    for code in UNITS:
        times = sorted(at for at, target, _ in arrivals if target == code)
        assert times[-1] - times[0] >= ITEMS / RATE - 1, f"{code} went faster than its limit"


def test_the_metered_hook_counts_overlapping_posts_per_target() -> None:
    hook = MeteredHook(delay=0.5)

    def post(key: str) -> None:
        requests.post(hook.hook, json={}, headers={"Idempotency-Key": key}, timeout=5)

    threads = [threading.Thread(target=post, args=(f"xa-01-{i:012d}",)) for i in range(3)]
    threads.append(threading.Thread(target=post, args=("xa-02-000000000000",)))
    with hook.running():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert hook.most_in_flight == {"xa-01": 3, "xa-02": 1}
    assert sorted(target for _, target, _ in hook.arrivals) == ["xa-01"] * 3 + ["xa-02"]
