"""From config to outbox files and a report: embedded, and with Redis and a dramatiq process."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from campaigns.periods import parse_period
from tests.factories import campaign, write_config
from tests.services import need, port_open
from worker.engine.embedded import run_once
from worker.engine.runtime import build_runtime, fixed_clock
from worker.reports.report import build_report
from worker.store.models import PUBLISHED, Attempt, Delivery

NOW = dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ)
BIN = Path(sys.executable).parent


def _all_targets() -> list[dict[str, object]]:
    return [
        {"units": "all", "kind": "website", "transport": "outbox"},
        {"units": "all", "kind": "screen", "transport": "outbox"},
        {
            "unit": "bien-hoa",
            "kind": "sms",
            "transport": "outbox",
            "options": {"recipients": "recipients/subs.csv", "diacritics": False},
        },
        {"unit": "so-noi-vu", "kind": "facebook", "transport": "outbox"},
        {"unit": "so-noi-vu", "kind": "zalo", "transport": "outbox"},
    ]


def test_embedded_run_publishes_every_delivery_to_the_outbox(
    tmp_path: Path, database_url: str
) -> None:
    root = write_config(
        tmp_path / "config",
        targets=_all_targets(),
        campaigns=[campaign(channels=["website", "screen", "sms", "facebook", "zalo"])],
    )
    rt = build_runtime(root, database_url, clock=fixed_clock(NOW), outbox=tmp_path / "outbox")
    run_once(rt, threads=4)
    with rt.sessions() as s:
        deliveries = list(s.scalars(select(Delivery)))
        attempts = list(s.scalars(select(Attempt)))
    assert len(deliveries) == 2 * 7
    assert {d.state for d in deliveries} == {PUBLISHED}
    assert len(attempts) == len(deliveries)
    files = sorted(p.relative_to(tmp_path / "outbox") for p in (tmp_path / "outbox").rglob("*.*"))
    assert {p.parts[1] for p in files} == {"website", "screen", "sms", "facebook", "zalo"}
    for d in deliveries:
        ext = {"website": "html", "screen": "png", "sms": "txt", "facebook": "json", "zalo": "json"}
        due = d.due_at.astimezone(TZ).date().isoformat()
        named = list((tmp_path / "outbox" / d.unit / d.channel).glob(f"*-{d.id}.{ext[d.channel]}"))
        assert len(named) == 1 and named[0].name.startswith(f"{due}-am-am-cai-cach-hanh-chinh-so-")
    sms = [d for d in deliveries if d.channel == "sms"]
    assert all(d.recipients == 2 and d.segments >= 1 for d in sms)
    html = next((tmp_path / "outbox" / "so-noi-vu" / "website").glob("*.html")).read_text("utf-8")
    assert "Ầm ầm cải cách hành chính" in html
    with rt.sessions() as s:
        report = build_report(s, rt.config, parse_period("2024"))
    assert [name for _, name, _ in report.rows] == ["Sở Nội vụ", "UBND Thành phố Biên Hòa"]
    assert report.totals()["published"] == len(deliveries)


def test_running_again_publishes_nothing_twice(tmp_path: Path, sqlite_url: str) -> None:
    rt = build_runtime(
        write_config(tmp_path / "config"),
        sqlite_url,
        clock=fixed_clock(NOW),
        outbox=tmp_path / "outbox",
    )
    run_once(rt, threads=2)
    run_once(rt, threads=2)
    with rt.sessions() as s:
        attempts = list(s.scalars(select(Attempt)))
        deliveries = list(s.scalars(select(Delivery)))
    assert len(attempts) == len(deliveries) == 8


def test_loa_run_once_then_report_from_the_command_line(tmp_path: Path) -> None:
    root = write_config(tmp_path / "config")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'loa.db'}",
        "LOA_OUTBOX": str(tmp_path / "outbox"),
    }
    env.pop("REDIS_URL", None)
    run = subprocess.run(
        [BIN / "loa", "--config", root, "run", "--once", "--now", NOW.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "published 8" in run.stdout
    report = subprocess.run(
        [BIN / "loa", "--config", root, "report", "--period", "2024-Q1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert report.returncode == 0, report.stderr
    assert "UBND Thành phố Biên Hòa" in report.stdout
    assert "quý I năm 2024" in report.stdout
    bad = subprocess.run(
        [BIN / "loa", "--config", root, "report", "--period", "2024-Q5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "not a period" in bad.stderr


@pytest.mark.redis
def test_redis_broker_and_a_real_dramatiq_worker_process_publish_everything(
    tmp_path: Path, pg_url: str
) -> None:
    need(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    # the worker process checks quiet hours on the real clock: without an empty window the SMS
    # default (22:00-07:00) held its rows back whenever the suite ran after 15:00 UTC
    settings = {"channels": {"sms": {"quiet_hours": {"start": "00:00", "end": "00:00"}}}}
    root = write_config(tmp_path / "config", articles=3, settings=settings)
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "LOA_REDIS_NAMESPACE": f"loa-test-{uuid.uuid4().hex[:8]}",
        "LOA_CONFIG": str(root),
        "LOA_OUTBOX": str(tmp_path / "outbox"),
    }
    worker = subprocess.Popen(
        [BIN / "dramatiq", "worker.engine.actors", "--processes", "1", "--threads", "4"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(1.0)
        run = subprocess.run(
            [
                BIN / "loa",
                "run",
                "--once",
                "--scheduler-only",
                "--timeout",
                "90",
                "--now",
                NOW.isoformat(),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr + run.stdout
    finally:
        worker.terminate()
        out, _ = worker.communicate(timeout=30)
    rt = build_runtime(root, pg_url, outbox=tmp_path / "outbox")
    with rt.sessions() as s:
        deliveries = list(s.scalars(select(Delivery)))
        workers = set(s.scalars(select(Attempt.worker)))
    assert len(deliveries) == 12
    assert {d.state for d in deliveries} == {PUBLISHED}, out[-2000:]
    assert len(workers) == 1
    assert None not in workers
    assert not any(str(w).endswith(f":{os.getpid()}") for w in workers)  # the worker process did it
    assert len(list((tmp_path / "outbox").rglob("*.*"))) == 12
