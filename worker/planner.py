"""Turn due items into delivery rows: item x audience unit x each of the unit's matching targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from croniter import croniter
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.model import TZ, Campaign, Config
from worker.models import AWAITING_APPROVAL, PLANNED, ContentItem
from worker.queries import plan_deliveries

BATCH = 5000


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), TZ)


def due_time(
    campaign: Campaign, published: dt.datetime | None, first_seen: dt.datetime
) -> dt.datetime | None:
    """When an item of this campaign is due, or None when it falls outside the campaign."""
    if published is not None and not campaign.covers(published):
        return None
    appeared = published or first_seen
    start = local_midnight(campaign.start)
    end = local_midnight(campaign.end + dt.timedelta(days=1))
    earliest = max(appeared, start)
    schedule = campaign.schedule
    if schedule.kind == "at":
        due = next((t for t in schedule.at if t >= earliest), None)
    elif schedule.kind == "cron":
        assert schedule.cron is not None
        due = croniter(schedule.cron, earliest.astimezone(TZ) - dt.timedelta(seconds=1)).get_next(
            dt.datetime
        )
    else:
        due = earliest
    return due if due is not None and due < end else None


def delivery_rows(
    session: Session, config: Config, campaign: Campaign, now: dt.datetime
) -> Iterator[dict[str, Any]]:
    """Every delivery this campaign wants, as insert-ready dicts, streamed."""
    source_ids = [s.id for s in campaign.sources]
    targets = [(u, t) for u in campaign.units for t in config.targets_of(u, campaign.channels)]
    state = AWAITING_APPROVAL if campaign.approval else PLANNED
    items = session.execute(
        select(ContentItem.id, ContentItem.published, ContentItem.first_seen)
        .where(ContentItem.source.in_(source_ids))
        .order_by(ContentItem.id)
        .execution_options(yield_per=BATCH)
    )
    for item_id, published, first_seen in items:
        due = due_time(campaign, published, first_seen)
        if due is None:
            continue
        for unit, target in targets:
            yield {
                "campaign": campaign.id,
                "item_id": item_id,
                "unit": unit,
                "target": target.id,
                "channel": target.kind,
                "state": state,
                "due_at": due,
                "attempts": 0,
                "claims": 0,
                "segments": 0,
                "recipients": 0,
                "created_at": now,
                "updated_at": now,
            }


def plan(session: Session, config: Config, now: dt.datetime) -> int:
    """Insert every wanted delivery that does not exist yet; returns how many are new."""
    total = 0
    for campaign in config.campaigns.values():
        batch: list[dict[str, Any]] = []
        for row in delivery_rows(session, config, campaign, now):
            batch.append(row)
            if len(batch) >= BATCH:
                total += plan_deliveries(session, batch)
                batch = []
        total += plan_deliveries(session, batch)
    return total
