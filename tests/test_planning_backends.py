"""PostgreSQL plans set-based (items x targets crossed in one statement), SQLite row by row.

Both must plan exactly the same rows for the same config and items, an approval campaign's
awaiting approval. Planning twice on either is also covered, for a smaller config, by
test_planning.test_planning_twice_plans_nothing_new (and approval on SQLite alone by
test_planning.test_a_campaign_needing_approval_plans_rows_awaiting_approval).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from tests.factories import campaign, write_config
from worker.engine import planner
from worker.engine.ingest import ingest_all
from worker.engine.planner import plan
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.store.models import AWAITING_APPROVAL, PLANNED, ContentItem, Delivery

NOW = dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ)
UNITS = [
    {"code": "so-noi-vu", "name": "Sở Nội vụ", "kind": "department"},
    {"code": "bien-hoa", "name": "UBND Thành phố Biên Hòa", "kind": "district"},
    {"code": "dinh-quan", "name": "UBND Huyện Định Quán", "kind": "district"},
]
SMS = {"recipients": "recipients/subs.csv", "diacritics": False}
TARGETS: list[dict[str, Any]] = [
    {"units": "all", "kind": "website", "transport": "outbox"},
    {"units": ["bien-hoa", "dinh-quan"], "kind": "sms", "transport": "outbox", "options": SMS},
    {"unit": "so-noi-vu", "kind": "facebook", "transport": "outbox"},
    {"unit": "dinh-quan", "kind": "screen", "transport": "outbox"},
]
CAMPAIGNS = [
    campaign(channels=["website", "sms", "facebook", "screen"]),  # every target: 7 per item
    campaign(
        id="weekly",
        schedule={"cron": "0 8 * * 1"},
        units=["bien-hoa", "dinh-quan"],
        channels=["website", "sms"],
        approval="required",
    ),
    campaign(
        id="capped",
        cap_per_day=2,
        units=["so-noi-vu"],
        channels=["website"],
        period={"start": "2024-03-01", "end": "2024-06-30"},
    ),
    campaign(
        id="slots",
        schedule={"at": ["2024-03-15T08:00:00+07:00", "2024-06-14T08:00:00+07:00"]},
        match={"keywords": ["số 1"]},  # 1, 10, 11, ...
        channels=["website", "screen"],
    ),
]
# Several items on one day (the cap moves some), some outside the shorter periods.
PUBLISHED = [
    dt.datetime(2024, 3, 4, 9, 0, tzinfo=TZ) + dt.timedelta(hours=5 * i) for i in range(10)
] + [dt.datetime(2024, 1 + i, 20, 10, 0, tzinfo=TZ) for i in range(4)]
FIRST = 9  # items there at first; the rest arrive later

Row = tuple[Any, ...]


def runtime(tmp_path: Path, url: str, name: str, articles: int) -> Runtime:
    root = write_config(
        tmp_path / name,
        units=UNITS,
        targets=TARGETS,
        campaigns=CAMPAIGNS,
        published=PUBLISHED[:articles],
    )
    return build_runtime(root, url, clock=fixed_clock(NOW), outbox=tmp_path / f"{name}-out")


def plan_now(rt: Runtime) -> int:
    ingest_all(rt, NOW, force=True)  # read the sources again now, whenever they were last read
    with rt.sessions.begin() as s:
        return plan(s, rt.config, NOW)


COLUMNS = ["item", *(c.key for c in Delivery.__table__.c if c.key not in ("id", "item_id"))]


def planned_rows(rt: Runtime) -> set[Row]:
    """Every column of every delivery but its id, with the item named by its key (COLUMNS)."""
    columns = [c for c in Delivery.__table__.c if c.key not in ("id", "item_id")]
    with rt.sessions() as s:
        rows = s.execute(
            select(ContentItem.key, *columns).join(ContentItem, ContentItem.id == Delivery.item_id)
        ).all()
    return {
        tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in r) for r in rows
    }


def column(rows: set[Row], *names: str) -> set[tuple[Any, ...]]:
    at = [COLUMNS.index(n) for n in names]
    return {tuple(r[i] for i in at) for r in rows}


@pytest.mark.postgres
def test_postgresql_and_sqlite_plan_exactly_the_same_rows_now_and_when_items_arrive(
    tmp_path: Path, sqlite_url: str, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A statement per one to a few items, so chunk boundaries and the last chunk are exercised.
    monkeypatch.setattr(planner, "ROWS_PER_STATEMENT", 5)
    lite = runtime(tmp_path, sqlite_url, "lite", FIRST)
    pg = runtime(tmp_path, pg_url, "pg", FIRST)
    assert pg.engine.dialect.name == "postgresql"

    first = plan_now(lite), plan_now(pg)
    assert first[0] == first[1] == len(planned_rows(lite)) > 0
    assert planned_rows(pg) == planned_rows(lite)

    assert (plan_now(lite), plan_now(pg)) == (0, 0)  # planning twice adds nothing
    assert planned_rows(pg) == planned_rows(lite)

    for rt in (lite, pg):  # more items arrive: only theirs are planned, nothing planned twice
        write_config(
            Path(rt.config.root),
            units=UNITS,
            targets=TARGETS,
            campaigns=CAMPAIGNS,
            published=PUBLISHED,
        )
    later = plan_now(lite), plan_now(pg)
    assert later[0] == later[1] == len(planned_rows(lite)) - first[0] > 0
    assert planned_rows(pg) == planned_rows(lite)

    rows = planned_rows(pg)
    assert column(rows, "campaign", "state") == {
        ("dvc", PLANNED),
        ("weekly", AWAITING_APPROVAL),
        ("capped", PLANNED),
        ("slots", PLANNED),
    }
    capped = Counter(
        due.astimezone(TZ).date()
        for c, _, due in column(rows, "campaign", "item", "due_at")
        if c == "capped"
    )
    assert max(capped.values()) == 2 and len(capped) > 1  # the cap moved items to later days


BACKFILLED = campaign(id="backfilled", backfill=True, channels=["website", "screen"])


@pytest.mark.postgres
def test_postgresql_and_sqlite_plan_the_same_rows_for_a_target_added_later(
    tmp_path: Path, sqlite_url: str, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planner, "ROWS_PER_STATEMENT", 5)
    added = {"unit": "so-noi-vu", "kind": "screen", "transport": "outbox"}  # a new target
    after = dt.datetime(2024, 12, 31, 18, 0, tzinfo=TZ)  # an item appearing after it
    made: list[Runtime] = []
    for name, url in (("lite", sqlite_url), ("pg", pg_url)):
        for targets, published in ((TARGETS, PUBLISHED), ([*TARGETS, added], [*PUBLISHED, after])):
            root = write_config(
                tmp_path / name,
                units=UNITS,
                targets=targets,
                campaigns=[*CAMPAIGNS, BACKFILLED],
                published=published,
            )
            made.append(build_runtime(root, url, clock=fixed_clock(NOW)))
            assert plan_now(made[-1]) > 0
    lite, pg = made[1], made[3]
    rows = planned_rows(pg)
    assert rows == planned_rows(lite)
    screen = Counter(
        c for c, _, t in column(rows, "campaign", "item", "target") if t == "so-noi-vu/screen"
    )
    # backfill: every item, the old ones at their own due times; else only the item after it
    assert screen == {"backfilled": len(PUBLISHED) + 1, "dvc": 1}
    dues = {d for c, t, d in column(rows, "campaign", "target", "due_at") if c == "dvc"}
    assert {
        d
        for c, t, d in column(rows, "campaign", "target", "due_at")
        if (c, t) == ("dvc", "so-noi-vu/screen")
    } == {after}
    assert min(dues) < after
    for rt in made:
        rt.engine.dispose()
