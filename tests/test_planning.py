"""Planning: item x unit x target rows, planned once however often the scheduler runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from campaigns.config import load_config
from campaigns.model import TZ
from tests.factories import campaign, write_config
from worker.engine.ingest import ingest_all
from worker.engine.planner import due_time, plan
from worker.engine.runtime import build_runtime, fixed_clock
from worker.store.models import AWAITING_APPROVAL, PLANNED, Delivery

NOW = dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ)


def _count(rt: object) -> int:
    with rt.sessions() as s:  # type: ignore[attr-defined]
        return int(s.scalar(select(func.count()).select_from(Delivery)) or 0)


def test_planning_twice_plans_nothing_new(tmp_path: Path, database_url: str) -> None:
    rt = build_runtime(
        write_config(tmp_path / "config", articles=3),
        database_url,
        clock=fixed_clock(NOW),
        outbox=tmp_path / "outbox",
    )
    ingest_all(rt, NOW)
    with rt.sessions.begin() as s:
        first = plan(s, rt.config, NOW)
    with rt.sessions.begin() as s:
        second = plan(s, rt.config, NOW)
    # 3 items x (2 websites + 1 sms + 1 facebook)
    assert first == 12
    assert second == 0
    assert _count(rt) == 12
    ingest_all(rt, NOW, force=True)  # re-reading unchanged sources adds no items either
    with rt.sessions.begin() as s:
        assert plan(s, rt.config, NOW) == 0


def test_only_the_units_and_channel_kinds_of_the_campaign_are_planned(
    tmp_path: Path, sqlite_url: str
) -> None:
    root = write_config(
        tmp_path / "config", campaigns=[campaign(units=["bien-hoa"], channels=["sms"])]
    )
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "o")
    ingest_all(rt, NOW)
    with rt.sessions.begin() as s:
        plan(s, rt.config, NOW)
    with rt.sessions() as s:
        rows = s.execute(select(Delivery.unit, Delivery.target, Delivery.state)).all()
    assert {(r.unit, r.target, r.state) for r in rows} == {("bien-hoa", "bien-hoa/sms", PLANNED)}
    assert len(rows) == 2


def test_a_campaign_needing_approval_plans_rows_awaiting_approval(
    tmp_path: Path, sqlite_url: str
) -> None:
    root = write_config(tmp_path / "config", campaigns=[campaign(approval="required")])
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "o")
    ingest_all(rt, NOW)
    with rt.sessions.begin() as s:
        plan(s, rt.config, NOW)
    with rt.sessions() as s:
        states = set(s.scalars(select(Delivery.state)))
    assert states == {AWAITING_APPROVAL}


def test_due_time_follows_the_schedule_and_the_campaign_period(tmp_path: Path) -> None:
    at = ["2024-03-15T08:00:00+07:00", "2024-06-14T08:00:00+07:00"]
    root = write_config(
        tmp_path / "config",
        campaigns=[
            campaign(id="weekly", schedule={"cron": "0 8 * * 1"}),
            campaign(id="slots", schedule={"at": at}),
            campaign(id="asap", period={"start": "2024-02-01", "end": "2024-02-29"}),
        ],
    )
    config = load_config(root)
    seen = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    wednesday = dt.datetime(2024, 3, 13, 10, 0, tzinfo=TZ)
    assert due_time(config.campaigns["weekly"], wednesday, seen) == dt.datetime(
        2024, 3, 18, 8, 0, tzinfo=TZ
    )
    assert due_time(config.campaigns["slots"], wednesday, seen) == dt.datetime(
        2024, 3, 15, 8, 0, tzinfo=TZ
    )
    assert due_time(config.campaigns["slots"], dt.datetime(2024, 7, 1, tzinfo=TZ), seen) is None
    assert due_time(config.campaigns["asap"], dt.datetime(2024, 2, 10, 9, tzinfo=TZ), seen) == (
        dt.datetime(2024, 2, 10, 9, tzinfo=TZ)
    )
    assert due_time(config.campaigns["asap"], wednesday, seen) is None  # outside the period


def test_a_campaign_takes_only_items_matching_its_topics_or_keywords(
    tmp_path: Path, sqlite_url: str
) -> None:
    root = write_config(
        tmp_path / "config",
        articles=3,
        campaigns=[
            campaign(match={"keywords": ["SỐ 1"]}),  # title "… số 1: …", matched without case
            campaign(id="by-topic", match={"topics": ["dich-vu-cong"]}),
            campaign(id="nothing", match={"topics": ["dat-dai"], "keywords": ["khong co"]}),
        ],
    )
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "o")
    ingest_all(rt, NOW)
    with rt.sessions.begin() as s:
        plan(s, rt.config, NOW)
    with rt.sessions() as s:
        items = dict(
            s.execute(
                select(Delivery.campaign, func.count(Delivery.item_id.distinct())).group_by(
                    Delivery.campaign
                )
            ).all()
        )
    assert items == {"dvc": 1, "by-topic": 3}


def test_a_daily_cap_moves_extra_items_to_the_next_days(tmp_path: Path, sqlite_url: str) -> None:
    same_day = [dt.datetime(2024, 5, 6, 9 + i, 0, tzinfo=TZ) for i in range(5)]
    root = write_config(
        tmp_path / "config",
        published=same_day,
        campaigns=[campaign(cap_per_day=2, units=["so-noi-vu"], channels=["website"])],
    )
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "o")
    ingest_all(rt, NOW)
    with rt.sessions.begin() as s:
        plan(s, rt.config, NOW)
    with rt.sessions() as s:
        dues = sorted(s.scalars(select(Delivery.due_at)))
    days = [d.astimezone(TZ).date().isoformat() for d in dues]
    assert days == ["2024-05-06", "2024-05-06", "2024-05-07", "2024-05-07", "2024-05-08"]
    assert dues[2].astimezone(TZ).hour == 8
    with rt.sessions.begin() as s:  # planning again keeps every item where it was
        assert plan(s, rt.config, NOW) == 0
