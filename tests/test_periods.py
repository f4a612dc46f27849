"""A delivery counts in the period it was due: retries, holds and operators move only its next try.

`due_at` is the planned publication time, fixed for the row's life (it decides the report
period); `next_attempt_at` is when the scheduler may try it next.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from campaigns.periods import parse_period
from tests.factories import campaign, create_delivery, create_item, write_config
from tests.fakes.base import Response
from tests.fakes.webhook import FakeWebhook
from tests.stepping import Clock, step
from worker import actions as operator
from worker.cli.main import main
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.reports.report import build_report
from worker.store.filters import Filters
from worker.store.models import FAILED, PLANNED, PUBLISHED, RETRYING, Delivery

LAST_SECONDS_OF_Q1 = dt.datetime(2024, 3, 31, 23, 59, 50, tzinfo=TZ)
RETRY = {"attempts": 5, "first_delay": 30, "cap": 600, "jitter": 0}


def runtime(
    tmp_path: Path,
    url: str,
    clock: Clock,
    targets: list[dict[str, Any]],
    published: dt.datetime,
    **overrides: Any,
) -> Runtime:
    root = write_config(
        tmp_path / "config",
        targets=targets,
        campaigns=[campaign(**overrides)],
        settings={"channels": {"website": {"retry": RETRY}}},
        published=[published],
    )
    return build_runtime(root, url, clock=clock, outbox=tmp_path / "outbox")


def only(rt: Runtime) -> Delivery:
    with rt.sessions() as s:
        rows = list(s.scalars(select(Delivery)))
    assert len(rows) == 1
    return rows[0]


def test_a_post_due_in_q1_that_fails_once_and_is_published_in_q2_counts_in_q1(
    tmp_path: Path, database_url: str, webhook: FakeWebhook
) -> None:
    clock = Clock(LAST_SECONDS_OF_Q1)
    target = {
        "unit": "so-noi-vu",
        "kind": "website",
        "transport": "webhook",
        "endpoint": webhook.hook,
        "options": {"allow_http": True, "timeout": [1, 1]},
    }
    rt = runtime(
        tmp_path,
        database_url,
        clock,
        [target],
        dt.datetime(2024, 3, 31, 10, 0, tzinfo=TZ),
        channels=["website"],
        schedule={"at": [LAST_SECONDS_OF_Q1.isoformat()]},
    )
    webhook.then(Response(500, {"error": "boom"}))
    assert step(rt) == [RETRYING]
    row = only(rt)
    assert row.due_at == LAST_SECONDS_OF_Q1
    assert row.next_attempt_at == LAST_SECONDS_OF_Q1 + dt.timedelta(seconds=30)
    clock.advance(30)  # 2024-04-01 00:00:20: the second quarter
    assert step(rt) == [PUBLISHED]
    row = only(rt)
    assert row.published_at is not None and row.published_at >= dt.datetime(2024, 4, 1, tzinfo=TZ)
    assert row.due_at == LAST_SECONDS_OF_Q1
    with rt.sessions() as s:
        q1 = build_report(s, rt.config, parse_period("2024-Q1"))
        q2 = build_report(s, rt.config, parse_period("2024-Q2"))
    assert q1.count("so-noi-vu", "website", "published") == 1
    assert q2.count("so-noi-vu", "website", "published") == 0


def test_a_quiet_hour_hold_moves_the_next_attempt_and_keeps_the_due_time(
    tmp_path: Path, database_url: str
) -> None:
    due = dt.datetime(2024, 3, 12, 23, 0, tzinfo=TZ)
    clock = Clock(due)
    sms = {
        "unit": "bien-hoa",
        "kind": "sms",
        "transport": "outbox",
        "options": {"recipients": "recipients/subs.csv"},
    }
    rt = runtime(
        tmp_path,
        database_url,
        clock,
        [sms],
        dt.datetime(2024, 3, 12, 22, 30, tzinfo=TZ),
        channels=["sms"],
        schedule={"at": [due.isoformat()]},
    )
    assert step(rt) == []
    held = only(rt)
    morning = dt.datetime(2024, 3, 13, 7, 0, tzinfo=TZ)
    assert (held.state, held.due_at, held.next_attempt_at) == (PLANNED, due, morning)
    clock.at = morning
    assert step(rt) == [PUBLISHED]
    assert only(rt).due_at == due


def test_an_operators_retry_moves_the_next_attempt_and_keeps_the_due_time(
    tmp_path: Path, database_url: str
) -> None:
    now = dt.datetime(2024, 7, 2, 9, 0, tzinfo=TZ)
    due = dt.datetime(2024, 3, 12, 8, 0, tzinfo=TZ)
    rt = build_runtime(
        write_config(tmp_path / "config"),
        database_url,
        clock=fixed_clock(now),
        outbox=tmp_path / "outbox",
    )
    with rt.sessions.begin() as s:
        d = create_delivery(s, create_item(s), state=FAILED, due_at=due, next_attempt_at=due)
    with rt.sessions.begin() as s:
        assert operator.retry(s, [d.id], Filters(), now).changed == [d.id]
    with rt.sessions() as s:
        row = s.get(Delivery, d.id)
        assert row is not None
        q1 = build_report(s, rt.config, parse_period("2024-Q1"))
    assert (row.state, row.due_at, row.next_attempt_at) == (RETRYING, due, now)
    assert q1.count("so-noi-vu", "website", "pending") == 1


def test_show_and_jobs_print_the_due_time_and_the_next_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_config(tmp_path / "config")
    url = f"sqlite:///{tmp_path / 'loa.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    due = dt.datetime(2024, 3, 31, 23, 59, 50, tzinfo=TZ)
    later = dt.datetime(2024, 4, 1, 0, 5, tzinfo=TZ)
    rt = build_runtime(root, url, outbox=tmp_path / "outbox")
    with rt.sessions.begin() as s:
        d = create_delivery(s, create_item(s), state=RETRYING, due_at=due, next_attempt_at=later)
    assert main(["--config", str(root), "show", str(d.id), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["due_at"], shown["next_attempt_at"]) == (due.isoformat(), later.isoformat())
    assert main(["--config", str(root), "show", str(d.id)]) == 0
    out = capsys.readouterr().out
    assert "due_at: 2024-03-31" in out and "next_attempt_at: 2024-04-01" in out
    assert main(["--config", str(root), "jobs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(j["due_at"], j["next_attempt_at"]) for j in listed] == [
        (due.isoformat(), later.isoformat())
    ]
