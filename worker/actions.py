"""What an operator may do to deliveries: retry, cancel, resolve, approve; each act recorded."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.periods import Period
from worker.store.filters import Filters
from worker.store.models import (
    AWAITING_APPROVAL,
    CANCELLED,
    FAILED,
    PLANNED,
    PUBLISHED,
    QUEUED,
    RETRYING,
    SKIPPED,
    UNCERTAIN,
    Action,
    ContentItem,
    Delivery,
)
from worker.store.queries import affected
from worker.store.reads import narrowed
from worker.store.smsreports import by_reports

RETRYABLE = (FAILED, UNCERTAIN, SKIPPED)
CANCELLABLE = (PLANNED, AWAITING_APPROVAL, QUEUED, RETRYING, FAILED, UNCERTAIN)


@dataclass(frozen=True)
class Outcome:
    action: str
    changed: list[int]
    skipped: list[tuple[int, str]]  # (id, its state) of rows the action did not apply to


def who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def select_ids(
    session: Session,
    ids: Sequence[int],
    filters: Filters,
    eligible: Sequence[str],
    *,
    states: Sequence[str] = (),
    period: Period | None = None,
) -> tuple[list[int], list[tuple[int, str]]]:
    """The rows an action on `eligible` states would change, and those it leaves alone (and why).

    `filters`, `states` and `period` narrow exactly as in `loa jobs` and the API (`narrowed`);
    ids narrow too: `loa cancel 5 6 --period 2024-Q1` touches 5 or 6 only if due in that quarter.
    Without ids, rows outside `eligible` are not listed unless the operator asked for their
    state (`--state`): then they are reported as left alone.
    """
    q = narrowed(select(Delivery.id, Delivery.state), filters, tuple(states), period)
    if ids:
        q = q.where(Delivery.id.in_(ids))
    elif not states:
        q = q.where(Delivery.state.in_(eligible))
    rows = session.execute(q.order_by(Delivery.id)).all()
    ok = [r.id for r in rows if r.state in eligible]
    skipped = [(r.id, r.state) for r in rows if r.state not in eligible]
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        exist = set(session.scalars(select(Delivery.id).where(Delivery.id.in_(missing))))
        skipped += [
            (i, "not matched by the filters" if i in exist else "no such delivery") for i in missing
        ]
    return ok, skipped


def _apply(
    session: Session,
    action: str,
    ids: list[int],
    from_states: Sequence[str],
    values: dict[str, object],
    now: dt.datetime,
    detail: str | None,
    user: str,
    release: bool | None = None,
) -> list[int]:
    """`release` (retry, resolve): an SMS row's recipients are settled one by one: reported
    numbers count as sent; with True the unsure rest are sent to by the next attempt."""
    changed = []
    for delivery_id in ids:
        extra: dict[str, object] = {}
        if release is not None:
            extra = _per_recipient(session, delivery_id, release)
        result = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.state.in_(from_states))
            .values(updated_at=now, **values, **extra)
            .execution_options(synchronize_session=False)
        )
        if affected(result):
            changed.append(delivery_id)
            session.add(
                Action(at=now, user=user, action=action, delivery_id=delivery_id, detail=detail)
            )
    return changed


def _per_recipient(session: Session, delivery_id: int, release: bool) -> dict[str, object]:
    """An SMS row's progress and recipient count once its delivery reports are counted."""
    progress = session.scalar(select(Delivery.progress).where(Delivery.id == delivery_id))
    settled = by_reports(session, delivery_id, progress, release=release)
    if settled is None:
        return {}
    return {"progress": settled, "recipients": len(settled["sent"])}


def retry(
    session: Session,
    ids: Sequence[int],
    filters: Filters,
    now: dt.datetime,
    note: str | None = None,
    *,
    states: Sequence[str] = (),
    period: Period | None = None,
    user: str | None = None,
) -> Outcome:
    """Failed, uncertain or skipped rows get a fresh retry budget and are tried now.

    An operator decided: a skipped row (late past `late_after_days`) is brought back this way.

    Only the next attempt moves: the row's due time, and so its report period, stays.
    """
    user = user or who()
    ok, skipped = select_ids(session, ids, filters, RETRYABLE, states=states, period=period)
    values: dict[str, object] = {
        "state": RETRYING,
        "next_attempt_at": now,
        "attempts": 0,
        "claims": 0,
        "reason": note or f"retry requested by {user}",
    }
    changed = _apply(session, "retry", ok, RETRYABLE, values, now, note, user, release=True)
    return Outcome("retry", changed, skipped)


def cancel(
    session: Session,
    ids: Sequence[int],
    filters: Filters,
    now: dt.datetime,
    note: str | None = None,
    *,
    states: Sequence[str] = (),
    period: Period | None = None,
    user: str | None = None,
) -> Outcome:
    chosen = _Chosen(ids, filters, states, period)
    return _set_state(session, "cancel", CANCELLABLE, CANCELLED, chosen, now, note, user)


def resolve(
    session: Session,
    delivery_id: int,
    published: bool,
    now: dt.datetime,
    note: str | None = None,
    *,
    user: str | None = None,
) -> Outcome:
    """Settle an uncertain row after checking the channel by hand."""
    user = user or who()
    ok, skipped = select_ids(session, [delivery_id], Filters(), (UNCERTAIN,))
    state = PUBLISHED if published else FAILED
    values: dict[str, object] = {"state": state, "reason": note or f"resolved by {user}"}
    if published:
        values["published_at"] = now
    name = f"resolve-{state}"
    changed = _apply(session, name, ok, (UNCERTAIN,), values, now, note, user, release=False)
    return Outcome(name, changed, skipped)


def approve(
    session: Session,
    ids: Sequence[int],
    filters: Filters,
    now: dt.datetime,
    note: str | None = None,
    *,
    states: Sequence[str] = (),
    period: Period | None = None,
    user: str | None = None,
) -> Outcome:
    """Release rows awaiting approval; they are planned again and go out when due."""
    chosen = _Chosen(ids, filters, states, period)
    return _set_state(session, "approve", (AWAITING_APPROVAL,), PLANNED, chosen, now, note, user)


def reject(
    session: Session,
    ids: Sequence[int],
    filters: Filters,
    now: dt.datetime,
    note: str | None = None,
    *,
    states: Sequence[str] = (),
    period: Period | None = None,
    user: str | None = None,
) -> Outcome:
    """Turn down rows awaiting approval: they are cancelled, recorded as rejected, never sent."""
    chosen = _Chosen(ids, filters, states, period)
    return _set_state(session, "reject", (AWAITING_APPROVAL,), CANCELLED, chosen, now, note, user)


@dataclass(frozen=True)
class _Chosen:
    """The rows an action was asked for: ids, or the filters, states and period."""

    ids: Sequence[int]
    filters: Filters
    states: Sequence[str]
    period: Period | None


_DONE_BY = {"cancel": "cancelled", "approve": "approved", "reject": "rejected"}


def _set_state(
    session: Session,
    name: str,
    allowed: tuple[str, ...],
    state: str,
    chosen: _Chosen,
    now: dt.datetime,
    note: str | None,
    user: str | None,
) -> Outcome:
    """Move the chosen rows that are in an allowed state to `state`, the note (or who did it)
    as their reason: what cancel, approve and reject each do."""
    user = user or who()
    ok, skipped = select_ids(
        session, chosen.ids, chosen.filters, allowed, states=chosen.states, period=chosen.period
    )
    values: dict[str, object] = {"state": state, "reason": note or f"{_DONE_BY[name]} by {user}"}
    changed = _apply(session, name, ok, allowed, values, now, note, user)
    return Outcome(name, changed, skipped)


BULK = {"retry": retry, "cancel": cancel, "approve": approve, "reject": reject}
"""The actions that may change many rows at once, by name."""

ELIGIBLE: dict[str, tuple[str, ...]] = {
    "retry": RETRYABLE,
    "cancel": CANCELLABLE,
    "approve": (AWAITING_APPROVAL,),
    "reject": (AWAITING_APPROVAL,),
}
"""The states each of those actions changes; rows in any other state are left alone."""


@dataclass(frozen=True)
class Pending:
    """A row an action would change, as an operator reads it before confirming."""

    id: int
    campaign: str
    unit: str
    channel: str
    state: str
    title: str


def pending(session: Session, ids: Sequence[int], limit: int | None = None) -> list[Pending]:
    """The first `limit` of these rows (by id) with their item's title, to show before acting."""
    chosen = sorted(ids)[:limit] if limit is not None else list(ids)
    q = (
        select(
            Delivery.id,
            Delivery.campaign,
            Delivery.unit,
            Delivery.channel,
            Delivery.state,
            ContentItem.title,
        )
        .join(ContentItem, ContentItem.id == Delivery.item_id)
        .where(Delivery.id.in_(chosen))
        .order_by(Delivery.id)
    )
    return [Pending(*row) for row in session.execute(q)]
