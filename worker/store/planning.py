"""Planning writes: new delivery rows, set-based, and when each target first met a campaign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from worker.store.models import CampaignTarget, ContentItem, Delivery, PlanMark
from worker.store.queries import affected, insert_ignoring_existing

DELIVERY_KEY = ["campaign", "item_id", "unit", "target"]


def target_since(
    session: Session, campaign: str, targets: Sequence[str], now: dt.datetime
) -> dict[str, dt.datetime | None]:
    """When each target first appeared to this campaign's planner; the new ones are recorded.

    None: there from the campaign's first planning (its whole period is planned for it).
    A target met after that gets `now`: without `backfill`, earlier items are not planned.
    """
    known = _target_since(session, campaign)
    new = [t for t in targets if t not in known]
    if new:
        since = now if known else None
        rows = [
            {"campaign": campaign, "target": t, "since": since, "recorded_at": now} for t in new
        ]
        insert_ignoring_existing(session, CampaignTarget.__table__, rows, ["campaign", "target"])
        known = _target_since(session, campaign)  # another planner may have recorded them first
    return {t: known[t] for t in targets}


def _target_since(session: Session, campaign: str) -> dict[str, dt.datetime | None]:
    q = select(CampaignTarget.target, CampaignTarget.since)
    return {t: s for t, s in session.execute(q.where(CampaignTarget.campaign == campaign))}


Head = tuple[int | None, dt.datetime | None]
"""The highest item id and item `updated` among some sources' items (None: no items)."""


def item_heads(session: Session) -> dict[str, Head]:
    """Per source, its items' highest id and `updated`: one aggregate over content_items."""
    q = select(ContentItem.source, func.max(ContentItem.id), func.max(ContentItem.updated))
    return {src: (i, u) for src, i, u in session.execute(q.group_by(ContentItem.source))}


def plan_marks(session: Session) -> dict[str, tuple[str, Head]]:
    """Per campaign, the fingerprint and head it was last planned with."""
    q = select(PlanMark.campaign, PlanMark.fingerprint, PlanMark.item_max, PlanMark.updated_max)
    return {c: (f, (i, u)) for c, f, i, u in session.execute(q)}


def save_mark(
    session: Session, campaign: str, fingerprint: str, head: Head, now: dt.datetime
) -> None:
    """Record what a campaign was planned with (an UPDATE, or an INSERT the first time)."""
    values = {"fingerprint": fingerprint, "item_max": head[0], "updated_max": head[1]}
    result = session.execute(
        update(PlanMark).where(PlanMark.campaign == campaign).values(**values, planned_at=now)
    )
    if not affected(result):
        session.add(PlanMark(campaign=campaign, planned_at=now, **values))
        session.flush()


def plan_deliveries(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert delivery rows; planning the same key twice plans nothing new."""
    return insert_ignoring_existing(session, Delivery.__table__, rows, DELIVERY_KEY)


_PLAN_CROSSED = text(
    """
    INSERT INTO deliveries (campaign, item_id, unit, target, channel, state, due_at,
                            next_attempt_at, attempts, claims, segments, recipients, progress,
                            created_at, updated_at)
    SELECT :campaign, i.id, t.unit, t.target, t.channel, :state, i.due, i.due,
           0, 0, 0, 0, CAST('{}' AS json), :now, :now
    FROM unnest(CAST(:ids AS integer[]), CAST(:dues AS timestamptz[])) AS i (id, due)
    CROSS JOIN unnest(CAST(:units AS text[]), CAST(:targets AS text[]),
                      CAST(:channels AS text[])) AS t (unit, target, channel)
    ON CONFLICT (campaign, item_id, unit, target) DO NOTHING
    """
)


def plan_crossed(
    session: Session,
    campaign: str,
    state: str,
    now: dt.datetime,
    items: Sequence[tuple[int, dt.datetime]],
    targets: Sequence[tuple[str, str, str]],
) -> int:
    """PostgreSQL: plan items x targets in one statement; returns how many rows were new.

    `items` are (item id, due), `targets` (unit, target id, channel). Five array parameters
    whatever the size, where an executemany of rows makes psycopg parse a statement with a
    placeholder per value (14,000 for 1,000 rows) over and over.
    """
    result = session.execute(
        _PLAN_CROSSED,
        {
            "campaign": campaign,
            "state": state,
            "now": now.astimezone(dt.UTC),
            "ids": [i for i, _ in items],
            "dues": [d.astimezone(dt.UTC) for _, d in items],
            "units": [u for u, _, _ in targets],
            "targets": [t for _, t, _ in targets],
            "channels": [c for _, _, c in targets],
        },
    )
    return affected(result)
