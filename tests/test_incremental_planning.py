"""Incremental planning: a tick plans only what changed since the last planning.

A quiet tick (same config, no new or changed items) plans with two SELECTs and writes nothing,
and the whole scheduler tick then inserts nothing, on SQLite and PostgreSQL;
a new item is planned; a changed campaign is planned in full again; `loa plan --full` plans
every campaign in full; and what the increments planned is what a full plan gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, select

from tests.factories import campaign, write_config
from tests.test_planning_backends import (
    CAMPAIGNS,
    COLUMNS,
    NOW,
    PUBLISHED,
    TARGETS,
    UNITS,
    plan_now,
    planned_rows,
)
from worker.cli.main import main
from worker.engine import runtime
from worker.engine.ingest import ingest_all
from worker.engine.planner import plan
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.engine.scheduler import tick
from worker.store.models import ContentItem, Delivery, PlanMark


def make(tmp_path: Path, url: str, campaigns: list[dict[str, Any]], articles: int) -> Runtime:
    root = write_config(
        tmp_path / "config",
        units=UNITS,
        targets=TARGETS,
        campaigns=campaigns,
        published=PUBLISHED[:articles],
    )
    return build_runtime(root, url, clock=fixed_clock(NOW), outbox=tmp_path / "out")


@contextmanager
def statements(rt: Runtime) -> Iterator[list[str]]:
    """Every SQL statement the runtime's engine sends while the block runs."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(rt.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(rt.engine, "before_cursor_execute", record)


def plan_only(rt: Runtime, *, full: bool = False) -> int:
    with rt.sessions.begin() as s:
        return plan(s, rt.config, NOW, full=full)


def test_a_quiet_tick_sends_two_selects_and_writes_nothing(
    tmp_path: Path, database_url: str
) -> None:
    rt = make(tmp_path, database_url, CAMPAIGNS, 9)
    assert plan_now(rt) > 0
    ingest_all(rt, NOW, force=True)  # the same items read again: nothing new
    with statements(rt) as sent:
        assert plan_only(rt) == 0
    writes = [s for s in sent if s in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert [s for s in sent if s == "SELECT"] == ["SELECT", "SELECT"]
    rt.engine.dispose()


def test_a_new_item_is_planned_and_the_increments_equal_a_full_plan(
    tmp_path: Path, database_url: str
) -> None:
    rt = make(tmp_path, database_url, CAMPAIGNS, 9)
    first = plan_now(rt)
    write_config(
        Path(rt.config.root), units=UNITS, targets=TARGETS, campaigns=CAMPAIGNS, published=PUBLISHED
    )
    with statements(rt) as sent:
        later = plan_now(rt)
    assert later > 0 and "INSERT" in sent
    rows = planned_rows(rt)
    assert len(rows) == first + later
    assert plan_only(rt, full=True) == 0  # a full plan finds nothing the increments missed
    assert planned_rows(rt) == rows

    fresh = make(tmp_path / "fresh", database_url.replace("loa.db", "fresh.db"), CAMPAIGNS, 14)
    if fresh.engine.dialect.name == "sqlite":  # the same items in one full plan: the same rows
        plan_now(fresh)
        assert {r[:1] + r[2:] for r in planned_rows(fresh)} <= {r[:1] + r[2:] for r in rows}
        fresh.engine.dispose()
    rt.engine.dispose()


def _forget_first_item(rt: Runtime) -> None:
    """Delete every campaign's first item's deliveries: only a full planning restores them."""
    with rt.sessions.begin() as s:
        first = select(ContentItem.id).where(ContentItem.key.endswith(":a000.md"))
        s.execute(delete(Delivery).where(Delivery.item_id.in_(first)))


def test_a_changed_campaign_is_planned_in_full_and_plan_full_plans_every_campaign(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    two = [campaign(channels=["website"]), campaign(id="other", channels=["website", "sms"])]
    rt = make(tmp_path, sqlite_url, two, 9)
    plan_now(rt)
    before = planned_rows(rt)
    _forget_first_item(rt)
    assert plan_now(rt) == 0  # unchanged: a tick looks only past the marks

    changed = [campaign(channels=["website"], title="Dịch vụ công (sửa)"), two[1]]
    rt = make(tmp_path, sqlite_url, changed, 9)
    assert plan_now(rt) > 0  # dvc changed: planned in full, its forgotten rows are back
    rows = planned_rows(rt)
    campaign_at = COLUMNS.index("campaign")
    assert {r for r in before if r[campaign_at] == "dvc"} <= rows
    assert {r for r in before if r[campaign_at] == "other"} - rows  # not yet: other unchanged

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["--config", rt.config.root, "plan", "--full", "--now", NOW.isoformat()]) == 0
    assert before <= planned_rows(rt)
    with rt.sessions() as s:
        assert set(s.scalars(select(PlanMark.campaign))) == {"dvc", "other"}
    rt.engine.dispose()


def test_a_quiet_scheduler_tick_inserts_nothing(tmp_path: Path, database_url: str) -> None:
    rt = make(tmp_path, database_url, CAMPAIGNS, 9)
    runtime.install(rt)
    tick(rt)  # ingests, plans, takes the lock, records its heartbeat
    tick(rt, ingest=False)
    with statements(rt) as sent:
        tick(rt, ingest=False)  # nothing new: renewals and updates only
    assert "INSERT" not in sent
    assert "SELECT" in sent
    rt.engine.dispose()
