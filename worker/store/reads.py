"""Read-only queries behind the status page and its JSON API; filters shared with the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from campaigns.model import TZ, Config
from campaigns.periods import Period
from worker.store.filters import Filters, in_period
from worker.store.models import (
    FAILED,
    PUBLISHED,
    STATES,
    UNCERTAIN,
    UNSENT_STATES,
    ContentItem,
    Delivery,
    Heartbeat,
    SourceState,
)

_Ts = TypeVarTuple("_Ts")
STALE_AFTER = dt.timedelta(minutes=2)  # schedulers tick and workers beat every ~10 s
LATE_AFTER = dt.timedelta(hours=1)
"""An unsent row is shown late this long after its due time (a tick promotes due rows in ~10 s)."""


def late(now: dt.datetime) -> ColumnElement[bool]:
    """Rows not sent yet (planned, awaiting approval, queued, retrying) well past their due time."""
    return and_(Delivery.state.in_(UNSENT_STATES), Delivery.due_at < now - LATE_AFTER)


def is_late(state: str, due_at: dt.datetime, now: dt.datetime) -> bool:
    """The same test as `late`, for one row already read."""
    return state in UNSENT_STATES and due_at < now - LATE_AFTER


def late_count(
    session: Session, filters: Filters, now: dt.datetime, period: Period | None = None
) -> int:
    """How many rows are late, narrowed like the report (the page and the API)."""
    q = filters.apply(select(func.count()).select_from(Delivery).where(late(now)))
    q = in_period(q, period) if period else q
    return int(session.execute(q).scalar_one())


@dataclass(frozen=True)
class Beat:
    """A scheduler's or worker's last sign of life, and how long ago that was."""

    name: str
    role: str
    host: str
    pid: int
    started_at: dt.datetime
    seen_at: dt.datetime
    age: dt.timedelta
    error: str | None = None  # the last scheduler tick failed with this; None once one succeeds
    failed_at: dt.datetime | None = None

    @property
    def stale(self) -> bool:
        return self.age > STALE_AFTER

    @property
    def healthy(self) -> bool:
        return not self.stale and self.error is None


@dataclass(frozen=True)
class Row:
    """One delivery as an operator reads it: where, what, its state and why."""

    id: int
    campaign: str
    unit: str
    unit_name: str
    channel: str
    target: str
    state: str
    due_at: dt.datetime
    next_attempt_at: dt.datetime
    updated_at: dt.datetime
    attempts: int
    reason: str | None
    last_error: str | None
    title: str
    remote_url: str | None

    def as_json(self) -> dict[str, object]:
        data = {k: v for k, v in self.__dict__.items()}
        data["due_at"] = self.due_at.astimezone(TZ).isoformat()
        data["next_attempt_at"] = self.next_attempt_at.astimezone(TZ).isoformat()
        data["updated_at"] = self.updated_at.astimezone(TZ).isoformat()
        return data


def state_counts(
    session: Session, filters: Filters, period: Period | None = None
) -> dict[str, int]:
    """Deliveries per state (every state, zeros included), narrowed like the report."""
    q = filters.apply(select(Delivery.state, func.count())).group_by(Delivery.state)
    q = in_period(q, period) if period else q
    found = dict(session.execute(q).all())
    return {s: int(found.get(s, 0)) for s in STATES}


def beats(session: Session, now: dt.datetime) -> list[Beat]:
    rows = session.scalars(select(Heartbeat).order_by(Heartbeat.role, Heartbeat.name))
    return [
        Beat(
            h.name,
            h.role,
            h.host,
            h.pid,
            h.started_at,
            h.seen_at,
            max(now - h.seen_at, dt.timedelta()),
            (h.detail or {}).get("error"),
            _when((h.detail or {}).get("failed_at")),
        )
        for h in rows
    ]


def _when(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def sources_in_error(session: Session) -> list[SourceState]:
    """Sources whose last read failed, or that fell back to their local copy (offline)."""
    q = (
        select(SourceState)
        .where(SourceState.last_error.is_not(None) | SourceState.note.is_not(None))
        .order_by(SourceState.id)
    )
    return list(session.scalars(q))


def narrowed(
    q: Select[*_Ts], filters: Filters, states: tuple[str, ...], period: Period | None
) -> Select[*_Ts]:
    """One WHERE for the page, the API and the command line, so their counts agree."""
    q = filters.apply(q)
    if states:
        q = q.where(Delivery.state.in_(states))
    return in_period(q, period) if period else q


def deliveries(
    session: Session,
    config: Config,
    filters: Filters,
    *,
    states: tuple[str, ...] = (),
    period: Period | None = None,
    limit: int = 100,
) -> list[Row]:
    """The most recently changed deliveries first, narrowed like the report."""
    q = select(Delivery, ContentItem.title).join(ContentItem, ContentItem.id == Delivery.item_id)
    q = narrowed(q, filters, states, period)
    q = q.order_by(Delivery.updated_at.desc(), Delivery.id.desc()).limit(limit)
    names = {u.code: u.name for u in config.units.values()}
    return [row_of(d, title, names) for d, title in session.execute(q)]


def count(
    session: Session,
    filters: Filters,
    *,
    states: tuple[str, ...] = (),
    period: Period | None = None,
) -> int:
    """How many deliveries `deliveries` would list without its limit."""
    q = narrowed(select(func.count()).select_from(Delivery), filters, states, period)
    return int(session.execute(q).scalar_one())


def row_of(d: Delivery, title: str, names: dict[str, str]) -> Row:
    return Row(
        d.id,
        d.campaign,
        d.unit,
        names.get(d.unit, d.unit),
        d.channel,
        d.target,
        d.state,
        d.due_at,
        d.next_attempt_at,
        d.updated_at,
        d.attempts,
        d.reason,
        d.last_error,
        title,
        d.remote_url,
    )


def failures(session: Session, config: Config, filters: Filters, limit: int = 200) -> list[Row]:
    return deliveries(session, config, filters, states=(FAILED, UNCERTAIN), limit=limit)


def noted(session: Session, config: Config, filters: Filters, limit: int = 200) -> list[Row]:
    """Published deliveries that carry a note (a category the site lacks, an image left out)."""
    q = select(Delivery, ContentItem.title).join(ContentItem, ContentItem.id == Delivery.item_id)
    q = narrowed(q, filters, (PUBLISHED,), None).where(Delivery.reason.is_not(None))
    q = q.order_by(Delivery.updated_at.desc(), Delivery.id.desc()).limit(limit)
    names = {u.code: u.name for u in config.units.values()}
    return [row_of(d, title, names) for d, title in session.execute(q)]
