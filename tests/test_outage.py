"""A database outage while workers record: nothing becomes uncertain, nothing is dead-lettered."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.fakes.base import Request, Response
from tests.processes import BIN, cluster
from tests.services import need, port_open
from tests.stepping import Clock
from tests.tcpproxy import TcpProxy, proxy_to
from tests.test_faults import UNITS, SlowHook, states, wait_for
from worker.engine import actors, journal, scheduler
from worker.engine.broker import QUEUES, RETRY_QUEUES, broker
from worker.engine.delivery import deliver
from worker.engine.runtime import build_runtime
from worker.store import queries
from worker.store.models import PUBLISHED, SENDING, UNCERTAIN, Attempt, Delivery

REDIS_DB = 14
ITEMS = 6
LATE = dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ)


def test_an_outcome_the_database_cannot_take_is_journaled_and_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_JOURNAL", str(tmp_path / "journal"))
    monkeypatch.setattr(journal, "RECORD_PATIENCE", 0.3)
    root = write_config(tmp_path / "config", articles=1, campaigns=[campaign(channels=["website"])])
    rt = build_runtime(root, f"sqlite:///{tmp_path / 'loa.db'}", clock=Clock(LATE))
    scheduler.tick(rt)
    broker.flush_all()
    with rt.sessions() as s:
        first, second = list(s.scalars(select(Delivery.id).order_by(Delivery.id)))
    recorded = queries.record_outcome
    tries = []

    def down(*args: Any, **kwargs: Any) -> bool:
        tries.append(1)
        raise OperationalError("UPDATE deliveries", {}, Exception("server closed the connection"))

    monkeypatch.setattr(queries, "record_outcome", down)
    assert deliver(rt, first) == PUBLISHED  # published, recorded nowhere but in the journal
    assert deliver(rt, second) == PUBLISHED
    assert len(tries) >= 4  # it retried (0.25 s, then 0.5 s back-off) before journaling
    monkeypatch.setattr(queries, "record_outcome", recorded)
    with rt.sessions.begin() as s:  # meanwhile the lease sweep judged the second one
        assert queries.set_state(s, second, [SENDING], state=UNCERTAIN, reason="worker died")
    assert journal.replay(rt) == 2
    with rt.sessions() as s:
        rows = {d.id: d for d in s.scalars(select(Delivery))}
        attempts = list(s.scalars(select(Attempt)))
    assert {rows[first].state, rows[second].state} == {PUBLISHED}
    assert rows[first].lease_until is None and rows[first].remote_id
    assert len(attempts) == 2
    assert list((tmp_path / "journal").iterdir()) == []
    assert journal.replay(rt) == 0


class SlowerHook(SlowHook):
    """A portal taking 0.3 s a post, and a gate that holds posts, so the test can cut the
    database while a publish is surely in flight (not only when the timing happens to allow)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.inside = 0

    def receive(self, request: Request) -> Response:
        with self.lock:
            self.inside += 1
        self.gate.wait(30)
        time.sleep(0.3)
        with self.lock:
            self.inside -= 1
        return super().receive(request)


@pytest.fixture
def hook() -> Iterator[SlowerHook]:
    fake = SlowerHook()
    with fake.running():
        yield fake


@pytest.mark.redis
def test_a_database_outage_while_recording_loses_nothing_and_dead_letters_nothing(
    tmp_path: Path, pg_url: str, hook: SlowerHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    need(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    published = [dt.datetime(2025, 1, 1, tzinfo=TZ) + dt.timedelta(hours=i) for i in range(ITEMS)]
    target = {
        "units": "all",
        "kind": "website",
        "transport": "webhook",
        "endpoint": hook.hook,
        "options": {"allow_http": True, "timeout": [2, 5]},
    }
    root = write_config(
        tmp_path / "config",
        units=UNITS,
        published=published,
        targets=[target],
        campaigns=[
            campaign(channels=["website"], period={"start": "2025-01-01", "end": "2099-12-31"})
        ],
        settings={"grace_seconds": 4},
    )
    url = sa.engine.make_url(pg_url)
    with proxy_to(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        run_through_outage(tmp_path, root, pg_url, through, proxy, hook, monkeypatch)


def run_through_outage(
    tmp_path: Path,
    root: Path,
    direct: str,
    through: str,
    proxy: TcpProxy,
    hook: SlowerHook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rt = build_runtime(root, direct)
    log = tmp_path / "worker.log"
    with cluster(root, through, REDIS_DB, tmp_path / "outbox") as group:
        group.env["LOA_JOURNAL"] = str(tmp_path / "journal")
        namespace = group.env["LOA_REDIS_NAMESPACE"]
        queue = RedisBroker(url=group.env["REDIS_URL"], namespace=namespace)  # type: ignore[no-untyped-call]
        monkeypatch.setattr(actors, "broker", queue)
        with log.open("wb") as out:
            argv = [
                str(BIN / "dramatiq"),
                "worker.engine.actors",
                "--processes",
                "1",
                "--threads",
                "4",
            ]
            worker = subprocess.Popen(argv, env=group.env, start_new_session=True, stderr=out)
            group.procs.append(worker)
            scheduler.tick(rt)  # plans and enqueues every delivery (directly, not via the proxy)
            wait_for(lambda: len(hook.posts) >= 8, 60, "8 posts before the outage")
            hook.gate.clear()  # hold the posts arriving now: they are in flight at the cut
            wait_for(lambda: hook.inside >= 1, 30, "a publish in flight")
            proxy.cut()
            at_cut = len(hook.posts)
            hook.gate.set()
            time.sleep(6)
            during = len(hook.posts) - at_cut
            proxy.restore()
            took = wait_for(lambda: finished(rt), 120, "every delivery after the outage")
        client = redis.Redis.from_url(group.env["REDIS_URL"])
        dead = sum(
            client.hlen(f"{namespace}:{q}.XQ.msgs") + client.zcard(f"{namespace}:{q}.XQ")
            for q in (*QUEUES.values(), *RETRY_QUEUES.values())
        )
        client.close()
        queue.close()
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    noise = [line for line in lines if " -> published" not in line]
    print(
        f"\n{during} posts published during a 6 s outage; all {len(UNITS) * ITEMS} finished "
        f"{took:.1f} s after it; worker log: {len(lines)} lines, {len(noise)} besides the "
        f"per-delivery ones, {sum('Traceback' in line for line in lines)} tracebacks"
    )
    final = states(rt)
    assert during > 0  # publishes were in flight and finished while the database was away
    assert list(final.values()) == [PUBLISHED] * (len(UNITS) * ITEMS)
    assert max(hook.posts_per_key().values()) == 1
    assert dead == 0
    assert not any("Traceback" in line for line in lines)
    assert len(noise) <= 30, "\n".join(noise[:60])


def finished(rt: Any) -> bool:
    with rt.sessions() as s:
        left = s.scalar(
            select(sa.func.count()).where(Delivery.state.not_in((PUBLISHED, UNCERTAIN, "failed")))
        )
        total = s.scalar(select(sa.func.count()).select_from(Delivery))
    return bool(total) and left == 0
