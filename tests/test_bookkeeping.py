"""Bookkeeping that survives the real world: YAML times, failed ticks, kill -9, dead portals."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from campaigns.config import ConfigError, load_config
from campaigns.model import TZ
from channels.base import Message, Receipt
from channels.outbox import OutboxTransport
from tests.factories import campaign, write_config
from tests.stepping import Clock, step
from worker.cli.main import main
from worker.engine import scheduler
from worker.engine.broker import broker
from worker.engine.delivery import deliver
from worker.engine.liveness import SCHEDULER_LOCK
from worker.engine.ratelimit import limits_for
from worker.engine.runtime import build_runtime
from worker.store import queries
from worker.store.models import PUBLISHED, QUEUED, RETRYING, SENDING, Delivery, Lock
from worker.web.page import create_app

START = dt.datetime(2024, 3, 1, 9, 0, tzinfo=TZ)

UNQUOTED = "channels:\n  sms:\n    quiet_hours: {start: 22:00, end: 07:00}\n"


def sms_config(tmp_path: Path, loa_yaml: str) -> Path:
    root = write_config(
        tmp_path / "config",
        targets=[
            {
                "unit": "bien-hoa",
                "kind": "sms",
                "transport": "outbox",
                "options": {"recipients": "recipients/subs.csv"},
            }
        ],
        campaigns=[campaign(channels=["sms"])],
        articles=1,
    )
    (root / "loa.yaml").write_text(loa_yaml, encoding="utf-8")
    return root


def test_unquoted_quiet_hours_are_a_local_wall_clock_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = sms_config(tmp_path, UNQUOTED)
    quiet = load_config(root).settings["channels"]["sms"]["quiet_hours"]
    assert quiet == {"start": dt.time(22, 0), "end": dt.time(7, 0)}
    assert quiet["start"].tzinfo is None and quiet["end"].tzinfo is None
    assert main(["--config", str(root), "check"]) == 0
    assert "config OK" in capsys.readouterr().out
    clock = Clock(dt.datetime(2024, 3, 1, 23, 0, tzinfo=TZ))
    rt = build_runtime(root, f"sqlite:///{tmp_path / 'loa.db'}", clock=clock, outbox=tmp_path / "o")
    assert step(rt) == []  # inside 22:00-07:00: nothing sent, and the tick does not raise
    with rt.sessions() as s:
        held = list(s.scalars(select(Delivery.next_attempt_at)))
    assert [d.astimezone(TZ) for d in held] == [dt.datetime(2024, 3, 2, 7, 0, tzinfo=TZ)]
    clock.at = dt.datetime(2024, 3, 2, 7, 0, tzinfo=TZ)
    assert step(rt) == [PUBLISHED]


def test_quoted_quiet_hours_read_the_same(tmp_path: Path) -> None:
    root = sms_config(
        tmp_path, 'channels:\n  sms:\n    quiet_hours: {start: "22:00", end: "07:00"}\n'
    )
    quiet = load_config(root).settings["channels"]["sms"]["quiet_hours"]
    assert quiet == {"start": dt.time(22, 0), "end": dt.time(7, 0)}


def test_a_time_of_day_out_of_range_asks_for_quotes(tmp_path: Path) -> None:
    root = sms_config(tmp_path, "channels:\n  sms:\n    quiet_hours: {start: 25:00, end: 07:00}\n")
    with pytest.raises(ConfigError) as e:
        load_config(root)
    assert "channels.sms.quiet_hours.start" in str(e.value)
    assert 'in quotes, like "22:00"' in str(e.value)


def scheduler_beat(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["--config", str(root), "status", "--json"]) == 0
    beats = json.loads(capsys.readouterr().out)["heartbeats"]
    found: dict[str, Any] = next(b for b in beats if b["role"] == "scheduler")
    return found


def test_a_failed_tick_shows_the_scheduler_unhealthy_until_a_good_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOA_HOOK_TOKEN", "s3cret-hook-token")
    root = write_config(
        tmp_path / "config",
        targets=[
            {"units": "all", "kind": "website", "transport": "outbox"},
            {
                "unit": "so-noi-vu",
                "kind": "website",
                "name": "portal",
                "transport": "webhook",
                "endpoint": "https://portal.example.gov.vn/hook",
                "credentials": {"token": "LOA_HOOK_TOKEN"},
            },
        ],
        campaigns=[campaign(channels=["website"])],
    )
    url = f"sqlite:///{tmp_path / 'loa.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    rt = build_runtime(root, url, clock=Clock(START), outbox=tmp_path / "outbox")

    def broken(*_: object, **__: object) -> int:
        raise RuntimeError("planner broke at https://admin:pw@db.example/ with s3cret-hook-token")

    monkeypatch.setattr(scheduler, "plan", broken)
    with pytest.raises(RuntimeError):
        scheduler.tick(rt)
    beat = scheduler_beat(root, capsys)
    assert beat["healthy"] is False
    assert beat["error"].startswith("RuntimeError: planner broke at https://***@db.example/")
    assert "s3cret" not in beat["error"] and "pw@" not in beat["error"]
    assert beat["failed_at"]
    assert main(["--config", str(root), "status"]) == 0
    assert "tick failed: RuntimeError: planner broke" in capsys.readouterr().out
    app = create_app(rt)
    got = app.test_client().get("/api/status").get_json()["heartbeats"][0]
    assert got["healthy"] is False and got["error"] == beat["error"]
    assert "planner broke" in app.test_client().get("/").get_data(as_text=True)

    monkeypatch.undo()
    monkeypatch.setenv("DATABASE_URL", url)
    scheduler.tick(rt)
    beat = scheduler_beat(root, capsys)
    assert beat["healthy"] is True and beat["error"] is None and beat["failed_at"] is None


def killed_run(tmp_path: Path, now: dt.datetime) -> tuple[Path, list[int]]:
    """A database as `loa run --once --now` leaves it when killed -9 mid-run.

    One row published but still `sending` (killed before recording), one claimed and `sending`
    (killed before publishing), the rest `queued` with their messages lost, and the scheduler
    lock still held by the dead process.
    """
    root = write_config(tmp_path / "config", articles=2)
    rt = build_runtime(root, f"sqlite:///{tmp_path / 'loa.db'}", clock=lambda: now)
    scheduler.tick(rt)
    broker.flush_all()
    with rt.sessions() as s:
        ids = sorted(s.scalars(select(Delivery.id).where(Delivery.state == QUEUED)))
    assert deliver(rt, ids[0]) == PUBLISHED
    lease = dt.timedelta(seconds=300)
    with rt.sessions.begin() as s:
        row = s.get(Delivery, ids[0])
        assert row is not None
        row.state, row.lease_until, row.published_at, row.remote_id = (
            SENDING,
            now + lease,
            None,
            None,
        )
        assert queries.claim_delivery(s, ids[1], now, lease, "gone:1") is not None
    dead = subprocess.Popen(["true"])
    dead.wait()
    with rt.sessions.begin() as s:
        lock = s.get(Lock, SCHEDULER_LOCK)
        assert lock is not None
        lock.holder = f"{socket.gethostname()}:{dead.pid}"
        lock.expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    return root, ids


def test_run_once_after_a_kill_finishes_what_the_dead_run_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ)
    monkeypatch.setenv("LOA_OUTBOX", str(tmp_path / "outbox"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'loa.db'}")
    root, ids = killed_run(tmp_path, now)
    published: Counter[int] = Counter()
    original = OutboxTransport.publish

    def counting(self: OutboxTransport, message: Message) -> Receipt:
        published[message.delivery_id or 0] += 1
        return original(self, message)

    monkeypatch.setattr(OutboxTransport, "publish", counting)
    argv = ["--config", str(root), "run", "--once", "--now", now.isoformat(), "--timeout", "20"]
    assert main(argv) == 0
    rt = build_runtime(root)
    with rt.sessions() as s:
        states = Counter(s.scalars(select(Delivery.state)))
    assert states == {PUBLISHED: len(ids)}
    assert ids[0] not in published  # found in the outbox: not published a second time
    assert published == dict.fromkeys(ids[1:], 1)


def test_a_target_that_never_answers_holds_four_threads_and_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)  # in-process limiters, this test's own
    root = write_config(tmp_path / "config", articles=5, campaigns=[campaign(channels=["website"])])
    late = dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ)  # every article is due
    rt = build_runtime(root, f"sqlite:///{tmp_path / 'loa.db'}", clock=Clock(late))
    scheduler.tick(rt)
    broker.flush_all()
    with rt.sessions() as s:
        rows = list(s.execute(select(Delivery.id, Delivery.target).order_by(Delivery.id)))
    dead = [i for i, t in rows if t == "so-noi-vu/website"]
    alive = [i for i, t in rows if t == "bien-hoa/website"]
    assert len(dead) == 5
    hanging, release = threading.Semaphore(0), threading.Event()
    original = OutboxTransport.publish

    def portal(self: OutboxTransport, message: Message) -> Receipt:
        if self.target.id == "so-noi-vu/website":
            hanging.release()
            release.wait(30)
        return original(self, message)

    monkeypatch.setattr(OutboxTransport, "publish", portal)
    with ThreadPoolExecutor(max_workers=5) as pool:
        stuck = [pool.submit(deliver, rt, i) for i in dead]
        for _ in range(4):
            assert hanging.acquire(timeout=10)
        assert deliver(rt, alive[0]) == PUBLISHED  # the other target goes on meanwhile
        fifth = next(f for f in as_completed(stuck, timeout=10))
        assert fifth.result() == RETRYING  # waited for a slot, then gave the row back
        assert not hanging.acquire(timeout=0.2)  # never reached the portal
        release.set()
    assert sorted(f.result() for f in stuck) == [PUBLISHED] * 4 + [RETRYING]


def test_the_cap_is_set_in_loa_yaml_and_per_target(tmp_path: Path) -> None:
    targets: list[dict[str, Any]] = [
        {"unit": "so-noi-vu", "kind": "website", "options": {"concurrency": 1}},
        {"unit": "bien-hoa", "kind": "website"},
        {"unit": "bien-hoa", "kind": "sms", "options": {"recipients": "recipients/subs.csv"}},
    ]
    settings = {"concurrency": 2, "channels": {"sms": {"concurrency": 3}}}
    root = write_config(tmp_path / "config", targets=targets, settings=settings)
    rt = build_runtime(root, f"sqlite:///{tmp_path / 'loa.db'}")
    caps = {
        t.id: limits_for(t, rt.channel_settings(t.kind))["concurrency"]
        for t in rt.config.targets.values()
    }
    assert caps == {"so-noi-vu/website": 1, "bien-hoa/website": 2, "bien-hoa/sms": 3}
    default = write_config(tmp_path / "default")
    rt = build_runtime(default, f"sqlite:///{tmp_path / 'default.db'}")
    target = rt.config.targets["so-noi-vu/website"]
    assert limits_for(target, rt.channel_settings("website"))["concurrency"] == 4
