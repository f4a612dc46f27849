"""A feed that drips, hangs or never answers costs one poll its deadline, and nothing else."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from campaigns.feeds import FeedState, poll
from campaigns.model import TZ, Source
from tests.factories import campaign, write_config
from tests.fakes.drip import DripServer
from tests.test_ingest import rss
from worker.engine.ingest import ingest_all
from worker.engine.runtime import build_runtime, fixed_clock
from worker.store.models import ContentItem, SourceState

NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ)
HEALTHY = rss([(1, "Tin một", "Nội dung"), (2, "Tin hai", "Nội dung")]).encode()
DEADLINE = 2.0
SLOW = ("/drip", "/drip-headers", "/hang", "/silent")


@pytest.fixture(scope="module")
def drip() -> Iterator[DripServer]:
    with DripServer(HEALTHY).running() as server:
        yield server


@pytest.mark.parametrize("path", SLOW)
def test_a_poll_ends_within_its_deadline_whatever_the_server_does(
    drip: DripServer, path: str
) -> None:
    source = Source("c.slow", "feed", url=drip.url + path, interval=60)
    started = time.monotonic()
    with requests.Session() as session:
        result = poll(session, source, FeedState(), now=NOW, deadline=DEADLINE)
    took = time.monotonic() - started
    assert result.error is not None and result.items == ()
    assert "gave up" in result.error or "timed out" in result.error, result.error
    assert took < DEADLINE + 1, f"{path}: {took:.1f} s"


def test_a_stop_cuts_a_hanging_poll_short(drip: DripServer) -> None:
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    source = Source("c.slow", "feed", url=drip.url + "/hang", interval=60)
    started = time.monotonic()
    with requests.Session() as session:
        result = poll(session, source, FeedState(), now=NOW, deadline=30, stop=stop)
    assert time.monotonic() - started < 2
    assert result.error is not None and "stopped" in result.error


def _config(tmp_path: Path, urls: list[str], deadline: float) -> Path:
    sources = [
        {"id": f"s{i}", "kind": "feed", "url": u, "interval": 60} for i, u in enumerate(urls)
    ]
    return write_config(
        tmp_path / "config",
        articles=0,
        targets=[{"units": "all", "kind": "website", "transport": "outbox"}],
        campaigns=[campaign(sources=sources, channels=["website"])],
        settings={"feed_deadline": deadline},
    )


def test_slow_sources_do_not_delay_a_healthy_one_in_the_same_tick(
    tmp_path: Path, drip: DripServer
) -> None:
    urls = [drip.url + p for p in SLOW] + [drip.url + "/ok"]
    root = _config(tmp_path, urls, DEADLINE)
    rt = build_runtime(root, f"sqlite:///{tmp_path}/loa.db", clock=fixed_clock(NOW))
    try:
        started = time.monotonic()
        results = ingest_all(rt, NOW)
        took = time.monotonic() - started
        assert took < DEADLINE + 1, f"the tick took {took:.1f} s"
        by_id = {r.source: r for r in results}
        assert by_id["dvc.s4"].error is None and by_id["dvc.s4"].new == 2
        assert all(by_id[f"dvc.s{i}"].error for i in range(4))
        with rt.sessions() as s:
            assert len(s.scalars(select(ContentItem)).all()) == 2
            errors = {x.id: x.last_error for x in s.scalars(select(SourceState))}
        assert all(errors[f"dvc.s{i}"] for i in range(4))
    finally:
        rt.close()


def test_sigterm_during_a_hanging_poll_stops_loa_run_promptly(
    tmp_path: Path, drip: DripServer
) -> None:
    root = _config(tmp_path, [drip.url + "/silent/sigterm"], 600)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/loa.db",
        "LOA_OUTBOX": str(tmp_path / "outbox"),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker.cli.main", "--config", str(root), "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not drip.waiting("/silent/sigterm") and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.1)
        assert drip.waiting("/silent/sigterm"), "loa run never polled the feed"
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=15)
        took = time.monotonic() - sent
        assert code == 0
        assert took < 5, f"exited {took:.1f} s after SIGTERM"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stderr:
            proc.stderr.close()
