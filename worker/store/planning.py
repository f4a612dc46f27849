"""Planning writes: new delivery rows, set-based, and when each target first met a campaign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from worker.store.models import QUEUED, CampaignTarget, ContentItem, PlanMark
from worker.store.queries import DELIVERIES, affected, insert_ignoring_existing

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
        _record_targets(session, campaign, new, since, now)
        known = _target_since(session, campaign)  # another planner may have recorded them first
    return {t: known[t] for t in targets}


_RECORD_TARGETS = text(
    """
    INSERT INTO campaign_targets (campaign, target, since, recorded_at)
    SELECT :campaign, t, CAST(:since AS timestamptz), :now FROM unnest(CAST(:targets AS text[])) t
    ON CONFLICT (campaign, target) DO NOTHING
    """
)


def _record_targets(
    session: Session, campaign: str, targets: list[str], since: dt.datetime | None, now: dt.datetime
) -> None:
    """On PostgreSQL one array parameter (a campaign can meet thousands of targets at once)."""
    if session.get_bind().dialect.name == "postgresql":
        at = {"since": since and since.astimezone(dt.UTC), "now": now.astimezone(dt.UTC)}
        session.execute(_RECORD_TARGETS, {"campaign": campaign, "targets": targets, **at})
        return
    rows = [
        {"campaign": campaign, "target": t, "since": since, "recorded_at": now} for t in targets
    ]
    insert_ignoring_existing(session, CampaignTarget.__table__, rows, ["campaign", "target"])


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


def plan_deliveries(
    session: Session, rows: Sequence[dict[str, Any]]
) -> tuple[int, list[tuple[int, str]]]:
    """Insert delivery rows; planning the same key twice plans nothing new.

    Returns how many rows were new and (id, channel) of the new ones inserted `queued`: their
    messages are to be sent once this transaction commits (an existing row is never sent again).
    """
    if not rows:
        return 0, []
    if session.get_bind().dialect.name == "postgresql":
        new = _plan_listed(session, rows)
    else:
        table = DELIVERIES
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=DELIVERY_KEY)
        returning = stmt.returning(table.c.id, table.c.channel, table.c.state)
        new = list(session.execute(returning, rows))
    queued = sorted((i, channel) for i, channel, state in new if state == QUEUED)
    return len(new), queued


_PLAN_LISTED = text(
    """
    INSERT INTO deliveries (campaign, item_id, unit, target, channel, state, due_at,
                            next_attempt_at, queued_at, created_at, updated_at,
                            attempts, claims, segments, recipients, progress)
    SELECT r.*, 0, 0, 0, 0, CAST('{}' AS json)
    FROM unnest(CAST(:campaign AS text[]), CAST(:item_id AS integer[]), CAST(:unit AS text[]),
                CAST(:target AS text[]), CAST(:channel AS text[]), CAST(:state AS text[]),
                CAST(:due_at AS timestamptz[]), CAST(:next_attempt_at AS timestamptz[]),
                CAST(:queued_at AS timestamptz[]), CAST(:created_at AS timestamptz[]),
                CAST(:updated_at AS timestamptz[])) AS r
    ON CONFLICT (campaign, item_id, unit, target) DO NOTHING
    RETURNING id, channel, state
    """
)
_LISTED = ["campaign", "item_id", "unit", "target", "channel", "state", "due_at"]
_LISTED += ["next_attempt_at", "queued_at", "created_at", "updated_at"]


def _plan_listed(session: Session, rows: Sequence[dict[str, Any]]) -> list[Any]:
    """PostgreSQL: one array per column, for the reason plan_crossed gives."""

    def value(v: Any) -> Any:
        return v.astimezone(dt.UTC) if isinstance(v, dt.datetime) else v

    return list(session.execute(_PLAN_LISTED, {c: [value(r[c]) for r in rows] for c in _LISTED}))


_PLAN_CROSSED = """
    INSERT INTO deliveries (campaign, item_id, unit, target, channel, state, due_at,
                            next_attempt_at, attempts, claims, segments, recipients, progress,
                            created_at, updated_at, queued_at)
    SELECT :campaign, i.id, t.unit, t.target, t.channel, :state, i.due, i.due,
           0, 0, 0, 0, CAST('{}' AS json), :now, :now, CAST(:queued_at AS timestamptz)
    FROM unnest(CAST(:ids AS integer[]), CAST(:dues AS timestamptz[])) AS i (id, due)
    CROSS JOIN unnest(CAST(:units AS text[]), CAST(:targets AS text[]),
                      CAST(:channels AS text[])) AS t (unit, target, channel)
    ON CONFLICT (campaign, item_id, unit, target) DO NOTHING
"""
_PLAN_CROSSED_PLANNED = text(_PLAN_CROSSED)
_PLAN_CROSSED_QUEUED = text(_PLAN_CROSSED + " RETURNING id, channel")


def plan_crossed(
    session: Session,
    campaign: str,
    state: str,
    now: dt.datetime,
    items: Sequence[tuple[int, dt.datetime]],
    targets: Sequence[tuple[str, str, str]],
) -> tuple[int, list[tuple[int, str]]]:
    """PostgreSQL: plan items x targets in one statement; returns how many rows were new and,
    when `state` is queued, (id, channel) of those new rows, as plan_deliveries does.

    `items` are (item id, due), `targets` (unit, target id, channel). Five array parameters
    whatever the size, where an executemany of rows makes psycopg parse a statement with a
    placeholder per value (14,000 for 1,000 rows) over and over.
    """
    queued = state == QUEUED
    result = session.execute(
        _PLAN_CROSSED_QUEUED if queued else _PLAN_CROSSED_PLANNED,
        {
            "campaign": campaign,
            "state": state,
            "now": now.astimezone(dt.UTC),
            "queued_at": now.astimezone(dt.UTC) if queued else None,
            "ids": [i for i, _ in items],
            "dues": [d.astimezone(dt.UTC) for _, d in items],
            "units": [u for u, _, _ in targets],
            "targets": [t for _, t, _ in targets],
            "channels": [c for _, _, c in targets],
        },
    )
    if not queued:
        return affected(result), []
    new = sorted((i, channel) for i, channel in result.all())
    return len(new), new
