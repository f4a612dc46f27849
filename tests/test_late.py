"""A campaign's end limits what is planned, not whether planned work is sent.

Late work stays visible as late until an operator acts or `late_after_days` passes; then it is
skipped with a reason naming the limit, and an operator can bring a skipped row back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from campaigns.periods import parse_period
from tests.factories import campaign, create_delivery, create_item, write_config
from tests.stepping import Clock, step
from worker import actions as operator
from worker.cli.main import main
from worker.engine.embedded import run_once
from worker.engine.runtime import Runtime, build_runtime
from worker.reports.report import build_report
from worker.store.filters import Filters
from worker.store.models import (
    AWAITING_APPROVAL,
    PLANNED,
    PUBLISHED,
    RETRYING,
    SKIPPED,
    Action,
    Delivery,
)
from worker.web.page import create_app

SMS = {
    "unit": "bien-hoa",
    "kind": "sms",
    "transport": "outbox",
    "options": {"recipients": "recipients/subs.csv"},
}
LAST_EVENING = dt.datetime(2024, 12, 31, 22, 30, tzinfo=TZ)


def rows(rt: Runtime) -> list[Delivery]:
    with rt.sessions() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def test_an_sms_held_by_quiet_hours_on_the_last_day_is_sent_next_morning_and_counts_in_the_year(
    tmp_path: Path, database_url: str
) -> None:
    clock = Clock(LAST_EVENING)
    root = write_config(
        tmp_path / "config",
        targets=[SMS],
        campaigns=[campaign(channels=["sms"], schedule={"at": [LAST_EVENING.isoformat()]})],
        published=[dt.datetime(2024, 12, 31, 20, 0, tzinfo=TZ)],
    )
    rt = build_runtime(root, database_url, clock=clock, outbox=tmp_path / "outbox")
    assert step(rt) == []  # 22:30: inside the quiet hours
    clock.at = dt.datetime(2025, 1, 1, 0, 0, 10, tzinfo=TZ)  # the campaign has ended
    assert step(rt) == []
    assert [r.state for r in rows(rt)] == [PLANNED]
    clock.at = dt.datetime(2025, 1, 1, 7, 0, tzinfo=TZ)
    assert step(rt) == [PUBLISHED]
    with rt.sessions() as s:
        year = build_report(s, rt.config, parse_period("2024"))
    assert year.count("bien-hoa", "sms", "published") == 1


def test_rows_awaiting_approval_survive_a_run_after_the_campaign_end_and_show_as_late(
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = Clock(dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ))
    root = write_config(tmp_path / "config", campaigns=[campaign(approval="required")])
    rt = build_runtime(root, database_url, clock=clock, outbox=tmp_path / "outbox")
    run_once(rt, threads=2)
    waiting = rows(rt)
    assert waiting and {r.state for r in waiting} == {AWAITING_APPROVAL}
    after = dt.datetime(2025, 1, 20, 9, 0, tzinfo=TZ)  # 20 days after the end
    clock.at = after
    run_once(rt, threads=2)
    assert [(r.id, r.state, r.reason) for r in rows(rt)] == [
        (r.id, AWAITING_APPROVAL, None) for r in waiting
    ]
    monkeypatch.setenv("DATABASE_URL", database_url)
    made: list[Runtime] = []
    monkeypatch.setattr("worker.cli.args.build_runtime", _with_clock(clock, made))
    assert main(["--config", str(root), "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["late"] == len(waiting)
    assert main(["--config", str(root), "status"]) == 0
    assert f"Late {len(waiting)}" in capsys.readouterr().out
    assert main(["--config", str(root), "jobs", "--json"]) == 0
    assert {j["late"] for j in json.loads(capsys.readouterr().out)} == {True}
    assert main(["--config", str(root), "jobs"]) == 0
    assert "awaiting_approval, late" in capsys.readouterr().out
    for cli in made:
        cli.engine.dispose()
    web = create_app(rt, wall_clock=lambda: after).test_client()
    assert web.get("/api/status").get_json()["late"] == len(waiting)
    page = web.get("/?lang=en").get_data(as_text=True)
    assert f"Late (not sent yet): {len(waiting)}" in page


def _with_clock(clock: Clock, made: list[Runtime]) -> Callable[..., Runtime]:
    """build_runtime for the command line, on the test's clock instead of the wall clock."""

    def build(*args: Any, **kwargs: Any) -> Runtime:
        made.append(build_runtime(*args, **{**kwargs, "clock": clock}))
        return made[-1]

    return build


def test_unsent_rows_are_skipped_naming_the_limit_once_late_after_days_pass(
    tmp_path: Path, database_url: str
) -> None:
    clock = Clock(dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ))
    root = write_config(
        tmp_path / "config",
        campaigns=[campaign(approval="required")],
        settings={"late_after_days": 10},
    )
    rt = build_runtime(root, database_url, clock=clock, outbox=tmp_path / "outbox")
    run_once(rt, threads=2)
    clock.at = dt.datetime(2025, 1, 10, 15, 0, tzinfo=TZ)  # nine days untouched: still waiting
    run_once(rt, threads=2)
    assert {r.state for r in rows(rt)} == {AWAITING_APPROVAL}
    clock.at = dt.datetime(2025, 1, 11, 17, 0, tzinfo=TZ)
    run_once(rt, threads=2)
    skipped = rows(rt)
    assert {r.state for r in skipped} == {SKIPPED}
    assert {r.reason for r in skipped} == {"not sent within late_after_days (10) of its due time"}


def test_an_operator_brings_a_skipped_delivery_back(tmp_path: Path, database_url: str) -> None:
    now = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
    due = dt.datetime(2024, 12, 31, 22, 30, tzinfo=TZ)
    rt = build_runtime(
        write_config(tmp_path / "config"),
        database_url,
        clock=Clock(now),
        outbox=tmp_path / "outbox",
    )
    with rt.sessions.begin() as s:
        d = create_delivery(
            s, create_item(s), state=SKIPPED, due_at=due, reason="not sent within ..."
        )
    with rt.sessions.begin() as s:
        done = operator.retry(s, [d.id], Filters(), now, note="the year's report needs it")
    assert done.changed == [d.id]
    with rt.sessions() as s:
        row = s.get(Delivery, d.id)
        acts = list(s.scalars(select(Action)))
    assert row is not None
    assert (row.state, row.due_at, row.next_attempt_at) == (RETRYING, due, now)
    assert [(a.action, a.delivery_id, a.detail) for a in acts] == [
        ("retry", d.id, "the year's report needs it")
    ]
    step(rt)
    with rt.sessions() as s:
        back = s.get(Delivery, d.id)
        assert back is not None and back.state == PUBLISHED
