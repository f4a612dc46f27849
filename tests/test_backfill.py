"""A target added in the middle of a campaign gets the items that appear after it, not the year's.

`backfill: true` in the campaign file plans the old items for it too, at their own due times.
Both planner paths (SQLite row by row, PostgreSQL set-based) run here through `database_url`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from campaigns.model import TZ
from tests.factories import campaign, write_config
from worker.engine.ingest import ingest_all
from worker.engine.planner import plan
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.store.models import Delivery

JAN = dt.datetime(2024, 1, 10, 8, 0, tzinfo=TZ)
APR = dt.datetime(2024, 4, 10, 8, 0, tzinfo=TZ)
JUL = dt.datetime(2024, 7, 20, 10, 0, tzinfo=TZ)
ADDED = dt.datetime(2024, 7, 20, 9, 0, tzinfo=TZ)  # bien-hoa's website appears
FIRST = [{"unit": "so-noi-vu", "kind": "website", "transport": "outbox"}]
BOTH = [{"units": "all", "kind": "website", "transport": "outbox"}]


def runtime(
    tmp_path: Path, url: str, targets: list[dict[str, Any]], published: list[dt.datetime], **c: Any
) -> Runtime:
    root = write_config(
        tmp_path / "config",
        targets=targets,
        campaigns=[campaign(channels=["website"], **c)],
        published=published,
    )
    return build_runtime(root, url, clock=fixed_clock(ADDED), outbox=tmp_path / "outbox")


def plan_at(rt: Runtime, now: dt.datetime) -> int:
    ingest_all(rt, now, force=True)
    with rt.sessions.begin() as s:
        return plan(s, rt.config, now)


def planned(rt: Runtime) -> set[tuple[str, dt.datetime]]:
    with rt.sessions() as s:
        rows = s.execute(select(Delivery.unit, Delivery.due_at)).all()
    rt.engine.dispose()
    return {(unit, due.astimezone(TZ)) for unit, due in rows}


def add_a_target_mid_year(tmp_path: Path, url: str, **c: Any) -> Runtime:
    """so-noi-vu from the start (two old items); bien-hoa added on 20 July, a new item then."""
    first = runtime(tmp_path, url, FIRST, [JAN, APR], **c)
    assert plan_at(first, dt.datetime(2024, 7, 15, 9, 0, tzinfo=TZ)) == 2
    assert planned(first) == {("so-noi-vu", JAN), ("so-noi-vu", APR)}
    later = runtime(tmp_path, url, BOTH, [JAN, APR, JUL], **c)
    plan_at(later, ADDED)
    plan_at(later, ADDED + dt.timedelta(days=1))  # the next ticks keep to the same rule
    return later


def test_a_target_added_mid_year_gets_only_the_items_that_appear_after_it(
    tmp_path: Path, database_url: str
) -> None:
    rt = add_a_target_mid_year(tmp_path, database_url)
    assert planned(rt) == {
        ("so-noi-vu", JAN),
        ("so-noi-vu", APR),
        ("so-noi-vu", JUL),
        ("bien-hoa", JUL),
    }


def test_backfill_true_plans_the_old_items_for_a_new_target_at_their_own_due_times(
    tmp_path: Path, database_url: str
) -> None:
    rt = add_a_target_mid_year(tmp_path, database_url, backfill=True)
    assert planned(rt) == {
        (unit, due) for unit in ("so-noi-vu", "bien-hoa") for due in (JAN, APR, JUL)
    }


def test_the_targets_there_at_a_campaigns_first_planning_get_its_whole_period(
    tmp_path: Path, database_url: str
) -> None:
    rt = runtime(tmp_path, database_url, BOTH, [JAN, APR])
    assert plan_at(rt, ADDED) == 4
    assert planned(rt) == {(unit, due) for unit in ("so-noi-vu", "bien-hoa") for due in (JAN, APR)}
