"""Turn due items into delivery rows: item x audience unit x each of the unit's matching targets."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from croniter import croniter
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campaigns.broadcast import parse_slots
from campaigns.model import TZ, Campaign, Config, Target
from worker.engine.straight import Straight
from worker.store.models import AWAITING_APPROVAL, PLANNED, QUEUED, ContentItem, Delivery
from worker.store.planning import (
    Head,
    item_heads,
    plan_crossed,
    plan_deliveries,
    plan_marks,
    save_mark,
    target_since,
)

BATCH = 5000
ROWS_PER_STATEMENT = 2_000
"""PostgreSQL: the deliveries one INSERT ... SELECT plans (items x targets, crossed there).
Small enough that, planning straight to queued, the enqueue of one chunk overlaps the planning
of the next; the statements stay few (a thousand rows cost far more than a statement)."""
PLANNER_VERSION = "1"
"""Part of every campaign's fingerprint: a change to how loa plans re-plans every campaign."""


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


def campaign_targets(config: Config, campaign: Campaign) -> list[tuple[str, Target]]:
    """(unit, target) for every target of the campaign's units and channels, in unit order."""
    kinds = set(campaign.channels)
    by_unit: dict[str, list[Target]] = {}
    for target in config.targets.values():
        if target.kind in kinds:
            by_unit.setdefault(target.unit, []).append(target)
    return [(u, t) for u in campaign.units for t in by_unit.get(u, ())]


DueItem = tuple[int, dt.datetime, dt.datetime]
"""(item id, due time, when the item appeared: published, else first seen)."""


def due_items(session: Session, campaign: Campaign, since: Head | None = None) -> Iterator[DueItem]:
    """Each item the campaign takes, within its period and daily cap; with `since`, only the
    items past it (a higher id, or updated later)."""
    cap = DailyCap(session, campaign) if campaign.cap_per_day else None
    query = (
        select(
            ContentItem.id,
            ContentItem.published,
            ContentItem.first_seen,
            ContentItem.topics,
            ContentItem.title,
            ContentItem.summary,
        )
        .where(ContentItem.source.in_([s.id for s in campaign.sources]))
        .order_by(ContentItem.published.is_(None), ContentItem.published, ContentItem.id)
        .execution_options(yield_per=BATCH)
    )
    if since is not None and since[0] is not None:
        newer = ContentItem.id > since[0]
        changed = ContentItem.updated > since[1] if since[1] is not None else newer
        query = query.where(or_(newer, changed))
    items = session.execute(query)
    for item_id, published, first_seen, topics, title, summary in items:
        if not campaign.matches(tuple(topics or ()), f"{title} {summary}"):
            continue
        due = due_time(campaign, published, first_seen)
        if due is not None and cap is not None:
            due = cap.place(item_id, due)
        if due is not None:
            yield item_id, due, published or first_seen


def _due(
    session: Session, campaign: Campaign, since: Head | None, straight: Straight | None
) -> Iterable[DueItem]:
    """due_items, read in full first when planning commits chunk by chunk: a commit closes the
    cursor they stream from (a few dozen bytes an item, where its rows are many more)."""
    items = due_items(session, campaign, since)
    return items if straight is None else list(items)


class DailyCap:
    """At most `cap_per_day` items a day per unit: later items move to the next days' slots."""

    def __init__(self, session: Session, campaign: Campaign) -> None:
        assert campaign.cap_per_day is not None
        self.cap = campaign.cap_per_day
        self.end = local_midnight(campaign.end + dt.timedelta(days=1))
        rows = session.execute(
            select(Delivery.item_id, Delivery.due_at)
            .where(Delivery.campaign == campaign.id, Delivery.channel != "loudspeaker")
            .distinct()
        )
        self.placed = {item_id: due for item_id, due in rows}
        self.per_day = Counter(due.astimezone(TZ).date() for due in self.placed.values())

    def place(self, item_id: int, due: dt.datetime) -> dt.datetime | None:
        if item_id in self.placed:  # planned before: keep its time (its rows exist)
            return self.placed[item_id]
        while self.per_day[due.astimezone(TZ).date()] >= self.cap:
            day = due.astimezone(TZ).date() + dt.timedelta(days=1)
            due = dt.datetime.combine(day, dt.time(8, 0), TZ)
        if due >= self.end:
            return None
        self.placed[item_id] = due
        self.per_day[due.astimezone(TZ).date()] += 1
        return due


def cutoffs(
    session: Session, campaign: Campaign, targets: list[tuple[str, Target]], now: dt.datetime
) -> dict[str, dt.datetime | None]:
    """Per target id, the time before which items that appeared are not planned for it.

    None for a target there at the campaign's first planning, and for every target when the
    campaign sets `backfill: true`; else the planning time the target first appeared at.
    """
    since = target_since(session, campaign.id, list(dict.fromkeys(t.id for _, t in targets)), now)
    return {t: None if campaign.backfill else s for t, s in since.items()}


def wanted(item: DueItem, cutoff: dt.datetime | None) -> bool:
    return cutoff is None or item[2] >= cutoff


def delivery_rows(
    session: Session,
    config: Config,
    campaign: Campaign,
    now: dt.datetime,
    since: Head | None = None,
    straight: Straight | None = None,
    only: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every delivery this campaign wants (`only` on channels of that kind), streamed as dicts."""
    targets = [(u, t) for u, t in campaign_targets(config, campaign) if only in (None, t.kind)]
    cutoff = cutoffs(session, campaign, targets, now)
    state = AWAITING_APPROVAL if campaign.approval else PLANNED
    for item in _due(session, campaign, since, straight):
        item_id, due, _ = item
        for unit, target in targets:
            if not wanted(item, cutoff[target.id]):
                continue
            at = slotted(target, due)
            if straight is not None:
                state = straight.state(campaign, target.kind, at, now)
            yield {
                "campaign": campaign.id,
                "item_id": item_id,
                "unit": unit,
                "target": target.id,
                "channel": target.kind,
                "state": state,
                "due_at": at,
                "next_attempt_at": at,
                "queued_at": now if state == QUEUED else None,
                "attempts": 0,
                "claims": 0,
                "segments": 0,
                "recipients": 0,
                "created_at": now,
                "updated_at": now,
            }


def slotted(target: Target, due: dt.datetime) -> dt.datetime:
    """A loudspeaker item is due `lead_minutes` before the station's next broadcast slot."""
    if target.kind != "loudspeaker":
        return due
    return parse_slots(target.options).due(due)


def fingerprint(campaign: Campaign, targets: list[tuple[str, Target]]) -> str:
    """A digest of everything planning a campaign reads from the config: the campaign and the
    targets it plans for (their options: a loudspeaker's slots), and the planner's version."""
    return hashlib.sha256(repr((PLANNER_VERSION, campaign, targets)).encode()).hexdigest()


def plan(
    session: Session,
    config: Config,
    now: dt.datetime,
    *,
    full: bool = False,
    straight: Straight | None = None,
) -> int:
    """Insert every wanted delivery that does not exist yet; returns how many are new.

    Incremental: a campaign whose config and targets are as when it was last planned (its
    fingerprint) plans only items past its marks, and nothing at all when there are none, so a
    quiet tick is two SELECTs whatever the number of deliveries. A campaign new or changed,
    and every campaign with `full` (`loa plan --full`), is planned in full.

    With `straight` (the scheduler's tick), rows that need nothing more go straight to queued
    and the session is committed chunk by chunk (see Straight); without it every row is
    planned and the caller commits.
    """
    marks = plan_marks(session)
    heads = item_heads(session)
    total = 0
    for campaign in config.campaigns.values():
        targets = campaign_targets(config, campaign)
        digest = fingerprint(campaign, targets)
        head = _head([heads.get(s.id, (None, None)) for s in campaign.sources])
        mark = marks.get(campaign.id)
        since = None if full or mark is None or mark[0] != digest else mark[1]
        if since == head:
            continue  # nothing changed since it was last planned
        # A crash before the mark is saved plans the campaign again: rows committed are kept.
        total += _plan_campaign(session, config, campaign, now, since, straight)
        save_mark(session, campaign.id, digest, head, now)
    return total


def _head(heads: list[Head]) -> Head:
    ids = [i for i, _ in heads if i is not None]
    times = [u for _, u in heads if u is not None]
    return (max(ids) if ids else None, max(times) if times else None)


def _plan_campaign(
    session: Session,
    config: Config,
    campaign: Campaign,
    now: dt.datetime,
    since: Head | None,
    straight: Straight | None,
) -> int:
    if session.get_bind().dialect.name == "postgresql":
        return _plan_crossed(session, config, campaign, now, since, straight)
    return _plan_rows(session, config, campaign, now, since, straight)


def _plan_rows(
    session: Session,
    config: Config,
    campaign: Campaign,
    now: dt.datetime,
    since: Head | None,
    straight: Straight | None,
    only: str | None = None,
) -> int:
    """Row by row (SQLite; loudspeakers on PostgreSQL): dicts, ROWS_PER_STATEMENT at a time."""
    total = 0
    batch: list[dict[str, Any]] = []
    for row in delivery_rows(session, config, campaign, now, since, straight, only):
        batch.append(row)
        if len(batch) >= ROWS_PER_STATEMENT:
            total += _insert(session, batch, straight)
            batch = []
    return total + _insert(session, batch, straight)


def _insert(session: Session, rows: list[dict[str, Any]], straight: Straight | None) -> int:
    new, queued = plan_deliveries(session, rows)
    if straight is not None:
        straight.flush(session, queued)
    return new


def _plan_crossed(
    session: Session,
    config: Config,
    campaign: Campaign,
    now: dt.datetime,
    since: Head | None,
    straight: Straight | None,
) -> int:
    """Set-based (PostgreSQL): items and targets go as arrays, the server crosses them.

    Python still decides each item's due time (cron, fixed times, daily cap, topics), once per
    item instead of a dict per delivery; memory stays at one chunk of items.
    """
    everyone = campaign_targets(config, campaign)
    pairs = [(u, t) for u, t in everyone if t.kind != "loudspeaker"]
    total = 0
    cutoff = cutoffs(session, campaign, everyone, now)  # all at once: see target_since
    if len(pairs) < len(everyone):  # their due times differ per target: planned row by row
        total += _plan_rows(session, config, campaign, now, since, straight, "loudspeaker")
    if not pairs:
        return total
    groups: dict[dt.datetime | None, list[tuple[str, str, str]]] = {}
    for u, t in pairs:  # targets planned alike: those with the same cutoff
        groups.setdefault(cutoff[t.id], []).append((u, t.id, t.kind))
    cross = _Cross(session, campaign, now, groups, straight)
    per_statement = max(1, ROWS_PER_STATEMENT // len(pairs))
    chunk: list[DueItem] = []
    for item in _due(session, campaign, since, straight):
        chunk.append(item)
        if len(chunk) >= per_statement:
            total += cross(chunk)
            chunk = []
    if chunk:
        total += cross(chunk)
    return total


@dataclass
class _Cross:
    """One statement per group of targets (and per state), with the chunk's items each wants."""

    session: Session
    campaign: Campaign
    now: dt.datetime
    groups: dict[dt.datetime | None, list[tuple[str, str, str]]]
    straight: Straight | None

    def __call__(self, chunk: list[DueItem]) -> int:
        total = 0
        for cutoff, targets in self.groups.items():
            items = [(i, due) for i, due, seen in chunk if wanted((i, due, seen), cutoff)]
            for state, some_items, some_targets in self._split(items, targets):
                step = max(1, ROWS_PER_STATEMENT // len(some_items))  # many targets: a slice
                for start in range(0, len(some_targets), step):
                    new, queued = plan_crossed(
                        self.session,
                        self.campaign.id,
                        state,
                        self.now,
                        some_items,
                        some_targets[start : start + step],
                    )
                    total += new
                    if self.straight is not None:
                        self.straight.flush(self.session, queued)
        return total

    def _split(
        self, items: list[tuple[int, dt.datetime]], targets: list[tuple[str, str, str]]
    ) -> Iterator[tuple[str, list[tuple[int, dt.datetime]], list[tuple[str, str, str]]]]:
        """(state, items, targets) to plan alike: Straight.state decides, per item and target."""
        if self.straight is None or self.campaign.approval:
            state = AWAITING_APPROVAL if self.campaign.approval else PLANNED
            yield from [(state, items, targets)] if items else []
            return
        held = self.straight.held
        due = [(i, d) for i, d in items if d <= self.now]
        later = [(i, d) for i, d in items if d > self.now]
        for state, some_items, some_targets in (
            (QUEUED, due, [t for t in targets if t[2] not in held]),
            (PLANNED, due, [t for t in targets if t[2] in held]),
            (PLANNED, later, targets),
        ):
            if some_items and some_targets:
                yield state, some_items, some_targets
