"""Faults with real processes: kill -9 a dramatiq worker, flush Redis; nothing lost or doubled."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.fakes.base import Request, Response
from tests.fakes.webhook import FakeWebhook
from tests.processes import cluster as processes
from tests.services import need, port_open
from worker.engine.delivery import build_message
from worker.engine.runtime import Runtime, build_runtime
from worker.store.models import PUBLISHED, UNCERTAIN, ContentItem, Delivery

BIN = Path(sys.executable).parent
REDIS_DB = 15
UNITS = [{"code": f"xa-{i:02d}", "name": f"UBND xã số {i}", "kind": "commune"} for i in range(10)]
ITEMS = 30


class SlowHook(FakeWebhook):
    """A portal that takes a moment per post, so deliveries are in flight when we strike."""

    def receive(self, request: Request) -> Response:
        time.sleep(0.03)
        return super().receive(request)

    def posts_per_key(self) -> Counter[str]:
        return Counter(
            r.headers.get("idempotency-key", "") for r in list(self.requests) if r.method == "POST"
        )


@pytest.fixture
def hook() -> Iterator[SlowHook]:
    fake = SlowHook()
    with fake.running():
        yield fake


def portal_config(tmp_path: Path, hook: SlowHook, settings: dict[str, Any] | None = None) -> Path:
    """UNITS x ITEMS website posts to the portal `hook`, all due now (the period runs to 2099)."""
    published = [dt.datetime(2025, 1, 1, tzinfo=TZ) + dt.timedelta(hours=i) for i in range(ITEMS)]
    target = {
        "units": "all",
        "kind": "website",
        "transport": "webhook",
        "endpoint": hook.hook,
        "options": {"allow_http": True, "timeout": [2, 5]},
    }
    period = {"start": "2025-01-01", "end": "2099-12-31"}
    return write_config(
        tmp_path / "config",
        units=UNITS,
        published=published,
        targets=[target],
        campaigns=[campaign(channels=["website"], period=period)],
        settings=settings,
    )


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str, hook: SlowHook) -> Iterator[dict[str, Any]]:
    need(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    root = portal_config(
        tmp_path, hook, settings={"lease_seconds": 5, "grace_seconds": 4, "lock_seconds": 30}
    )
    with processes(root, pg_url, REDIS_DB, tmp_path / "outbox") as group:
        yield {
            "root": root,
            "env": group.env,
            "start": group.start,
            "rt": build_runtime(root, pg_url),
        }


def worker_process(cluster: dict[str, Any]) -> subprocess.Popen[bytes]:
    proc: subprocess.Popen[bytes] = cluster["start"](
        BIN / "dramatiq", "worker.engine.actors", "--processes", "1", "--threads", "4"
    )
    return proc


def wait_for(predicate: Any, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def finished(rt: Runtime) -> bool:
    with rt.sessions() as s:
        done = s.scalar(select(func.count()).where(Delivery.state.in_((PUBLISHED, UNCERTAIN))))
        total = s.scalar(select(func.count()).select_from(Delivery))
    return bool(total) and done == total


def states(rt: Runtime) -> dict[str, str]:
    out = {}
    with rt.sessions() as s:
        for d in s.scalars(select(Delivery)):
            item = s.get(ContentItem, d.item_id)
            assert item is not None
            out[build_message(rt, d, item).reference] = d.state
    return out


@pytest.mark.redis
def test_killing_a_worker_mid_run_loses_nothing_and_sends_nothing_twice(
    cluster: dict[str, Any], hook: SlowHook
) -> None:
    rt = cluster["rt"]
    cluster["start"](BIN / "loa", "run", "--scheduler-only", "--interval", "1")
    first = worker_process(cluster)
    wait_for(lambda: len(hook.posts) >= 60, 60, "60 posts before the kill")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = len(hook.posts)
    worker_process(cluster)
    took = wait_for(lambda: finished(rt), 120, "every delivery to finish after the restart")
    print(
        f"\nrestarted worker finished the remaining {len(UNITS) * ITEMS - at_kill} deliveries "
        f"in {took:.1f} s after the kill"
    )
    final = states(rt)
    assert len(final) == len(UNITS) * ITEMS
    sent = hook.posts_per_key()
    twice = {key for key, n in sent.items() if n > 1}
    assert all(final[key] == UNCERTAIN for key in twice), twice
    published = {key for key, state in final.items() if state == PUBLISHED}
    assert all(key in hook.posts for key in published)
    assert set(final.values()) <= {PUBLISHED, UNCERTAIN}


@pytest.mark.redis
def test_flushing_redis_mid_run_is_repaired_by_the_sweeper(
    cluster: dict[str, Any], hook: SlowHook
) -> None:
    rt = cluster["rt"]
    cluster["start"](BIN / "loa", "run", "--scheduler-only", "--interval", "1")
    worker_process(cluster)
    wait_for(lambda: len(hook.posts) >= 60, 60, "60 posts before the flush")
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    took = wait_for(lambda: finished(rt), 120, "every delivery to finish after the flush")
    print(f"\nall deliveries finished {took:.1f} s after FLUSHDB")
    final = states(rt)
    assert set(final.values()) == {PUBLISHED}
    assert len(final) == len(UNITS) * ITEMS
    assert max(hook.posts_per_key().values()) == 1


def test_sigterm_stops_an_embedded_run_cleanly_with_nothing_left_sending(
    tmp_path: Path, hook: SlowHook
) -> None:
    root = portal_config(tmp_path, hook)
    url = f"sqlite:///{tmp_path / 'loa.db'}"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=url, LOA_CONFIG=str(root), LOA_OUTBOX=str(tmp_path / "outbox"))
    proc = subprocess.Popen(
        [BIN / "loa", "run", "--threads", "4", "--interval", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: len(hook.posts) >= 20, 60, "20 posts before SIGTERM")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    rt = build_runtime(root, url)
    with rt.sessions() as s:
        states = Counter(s.scalars(select(Delivery.state)))
    assert states.get("sending", 0) == 0
    assert states[PUBLISHED] == len(hook.posts)  # whatever was posted was recorded


def test_a_run_once_killed_mid_run_is_finished_by_the_next_one_at_the_same_now(
    tmp_path: Path, hook: SlowHook
) -> None:
    """Embedded mode, really killed: the clock is frozen by --now, so no lease or grace timer
    can fire; the next run holds the runner lock, knows no other worker exists, and settles
    the dead run's rows at start. Every post arrives exactly once."""
    root = portal_config(tmp_path, hook)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'loa.db'}", "LOA_OUTBOX": str(tmp_path)}
    argv = [str(BIN / "loa"), "--config", str(root), "run", "--once", "--threads", "4"]
    argv += ["--now", "2025-06-01T09:00:00+07:00", "--timeout", "120"]
    first = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(hook.posts) >= 40, 60, "40 posts before the kill")
    finally:
        first.kill()
        first.wait(timeout=10)
    at_kill = len(hook.posts)
    assert at_kill < len(UNITS) * ITEMS  # killed mid-run, with work left
    again = subprocess.run(argv, env=env, capture_output=True, timeout=180, check=False)
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    rt = build_runtime(root, env["DATABASE_URL"])
    final = states(rt)
    assert len(final) == len(UNITS) * ITEMS
    assert set(final.values()) <= {PUBLISHED, UNCERTAIN}
    assert max(hook.posts_per_key().values()) == 1  # nothing posted twice
    published = [ref for ref, state in final.items() if state == PUBLISHED]
    assert set(hook.posts_per_key()) >= set(published)
