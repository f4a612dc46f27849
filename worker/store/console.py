"""Reads behind the operators' console: search with paging, one delivery in full, the approval
queue by item, failures, and the calendar's entries. Narrowed like `loa jobs` (`narrowed`)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from campaigns.model import Config
from campaigns.periods import Period
from worker.store.filters import Filters
from worker.store.models import (
    AWAITING_APPROVAL,
    FAILED,
    UNCERTAIN,
    Action,
    Attempt,
    ContentItem,
    Delivery,
)
from worker.store.reads import Row, narrowed, row_of

PAGE_SIZE = 50


@dataclass(frozen=True)
class Search:
    """What the console's filter bar asks: the report's filters, states, a due range, text."""

    filters: Filters = field(default_factory=Filters)
    states: tuple[str, ...] = ()
    period: Period | None = None
    text: str = ""


def search(
    session: Session, config: Config, s: Search, page: int = 1, size: int = PAGE_SIZE
) -> tuple[list[Row], int]:
    """One page of the matching rows (soonest due last: newest first) and how many match."""
    q = select(Delivery, ContentItem.title).join(ContentItem, ContentItem.id == Delivery.item_id)
    q = narrowed(q, s.filters, s.states, s.period)
    n = select(func.count()).select_from(Delivery).join(ContentItem)
    n = narrowed(n, s.filters, s.states, s.period)
    if s.text:
        text = unicodedata.normalize("NFC", s.text).lower()
        match = or_(
            *(
                func.lower(func.coalesce(column, "")).contains(text, autoescape=True)
                for column in (
                    ContentItem.title,
                    Delivery.target,
                    Delivery.last_error,
                    Delivery.reason,
                )
            )
        )
        q, n = q.where(match), n.where(match)
    q = q.order_by(Delivery.due_at.desc(), Delivery.id.desc())
    q = q.offset((max(page, 1) - 1) * size).limit(size)
    names = {u.code: u.name for u in config.units.values()}
    rows = [row_of(d, title, names) for d, title in session.execute(q)]
    return rows, int(session.execute(n).scalar_one())


@dataclass(frozen=True)
class Full:
    """One delivery with its item, every attempt and every operator action."""

    delivery: Delivery
    item: ContentItem
    attempts: list[Attempt]
    actions: list[Action]


def full(session: Session, delivery_id: int) -> Full | None:
    found = session.execute(
        select(Delivery, ContentItem)
        .join(ContentItem, ContentItem.id == Delivery.item_id)
        .where(Delivery.id == delivery_id)
    ).first()
    if found is None:
        return None
    attempts = session.scalars(
        select(Attempt).where(Attempt.delivery_id == delivery_id).order_by(Attempt.number)
    )
    actions = session.scalars(
        select(Action).where(Action.delivery_id == delivery_id).order_by(Action.at, Action.id)
    )
    return Full(found[0], found[1], list(attempts), list(actions))


@dataclass
class Awaiting:
    """One item awaiting approval: its rows (each a unit's target) and one row per channel."""

    item_id: int
    title: str
    campaigns: set[str] = field(default_factory=set)
    rows: list[Row] = field(default_factory=list)

    def per_channel(self) -> dict[str, Row]:
        """The first row of each channel: whose preview stands for the channel's."""
        first: dict[str, Row] = {}
        for r in self.rows:
            first.setdefault(r.channel, r)
        return first


def approval_queue(
    session: Session, config: Config, filters: Filters, limit: int = 2000
) -> list[Awaiting]:
    """Rows awaiting approval grouped by item, the item due soonest first."""
    q = select(Delivery, ContentItem.title).join(ContentItem, ContentItem.id == Delivery.item_id)
    q = narrowed(q, filters, (AWAITING_APPROVAL,), None)
    q = q.order_by(Delivery.due_at, Delivery.item_id, Delivery.unit, Delivery.id).limit(limit)
    names = {u.code: u.name for u in config.units.values()}
    groups: dict[int, Awaiting] = {}
    for d, title in session.execute(q):
        group = groups.setdefault(d.item_id, Awaiting(d.item_id, title))
        group.campaigns.add(d.campaign)
        group.rows.append(row_of(d, title, names))
    return list(groups.values())


def failed_rows(session: Session, config: Config, filters: Filters, limit: int = 5000) -> list[Row]:
    """Failed and uncertain rows, newest change first (grouped by the console)."""
    q = select(Delivery, ContentItem.title).join(ContentItem, ContentItem.id == Delivery.item_id)
    q = narrowed(q, filters, (FAILED, UNCERTAIN), None)
    q = q.order_by(Delivery.updated_at.desc(), Delivery.id.desc()).limit(limit)
    names = {u.code: u.name for u in config.units.values()}
    return [row_of(d, title, names) for d, title in session.execute(q)]


def between(
    session: Session,
    config: Config,
    filters: Filters,
    start: dt.datetime,
    end: dt.datetime,
    states: Sequence[str] = (),
    limit: int = 5000,
) -> list[Row]:
    """Rows due in [start, end), soonest first: the calendar's entries."""
    q = select(Delivery, ContentItem.title).join(ContentItem, ContentItem.id == Delivery.item_id)
    q = narrowed(q, filters, tuple(states), None)
    q = q.where(Delivery.due_at >= start, Delivery.due_at < end)
    q = q.order_by(Delivery.due_at, Delivery.id).limit(limit)
    names = {u.code: u.name for u in config.units.values()}
    return [row_of(d, title, names) for d, title in session.execute(q)]
