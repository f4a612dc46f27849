"""What an operator may do to deliveries: retry, cancel, resolve, approve; each act recorded."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from worker.store.filters import Filters
from worker.store.models import (
    AWAITING_APPROVAL,
    CANCELLED,
    FAILED,
    PLANNED,
    PUBLISHED,
    QUEUED,
    RETRYING,
    UNCERTAIN,
    Action,
    Delivery,
)
from worker.store.queries import affected

RETRYABLE = (FAILED, UNCERTAIN)
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
    session: Session, ids: Sequence[int], filters: Filters, states: Sequence[str]
) -> tuple[list[int], list[tuple[int, str]]]:
    """Ids matching (explicit ids or the filters) split into those in `states` and the rest."""
    q = select(Delivery.id, Delivery.state)
    q = q.where(Delivery.id.in_(ids)) if ids else filters.apply(q).where(Delivery.state.in_(states))
    rows = session.execute(q.order_by(Delivery.id)).all()
    missing = sorted(set(ids) - {r.id for r in rows})
    ok = [r.id for r in rows if r.state in states]
    skipped = [(r.id, r.state) for r in rows if r.state not in states]
    skipped += [(i, "no such delivery") for i in missing]
    return ok, skipped


def _apply(
    session: Session,
    action: str,
    ids: list[int],
    from_states: Sequence[str],
    values: dict[str, object],
    now: dt.datetime,
    detail: str | None,
) -> list[int]:
    changed = []
    user = who()
    for delivery_id in ids:
        result = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.state.in_(from_states))
            .values(updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )
        if affected(result):
            changed.append(delivery_id)
            session.add(
                Action(at=now, user=user, action=action, delivery_id=delivery_id, detail=detail)
            )
    return changed


def retry(session: Session, ids: Sequence[int], filters: Filters, now: dt.datetime) -> Outcome:
    """Failed or uncertain rows get a fresh retry budget and are due now (an operator decided)."""
    ok, skipped = select_ids(session, ids, filters, RETRYABLE)
    values: dict[str, object] = {
        "state": RETRYING,
        "due_at": now,
        "attempts": 0,
        "claims": 0,
        "reason": f"retry requested by {who()}",
    }
    return Outcome("retry", _apply(session, "retry", ok, RETRYABLE, values, now, None), skipped)


def cancel(
    session: Session,
    ids: Sequence[int],
    filters: Filters,
    now: dt.datetime,
    note: str | None = None,
) -> Outcome:
    ok, skipped = select_ids(session, ids, filters, CANCELLABLE)
    values: dict[str, object] = {"state": CANCELLED, "reason": note or f"cancelled by {who()}"}
    return Outcome("cancel", _apply(session, "cancel", ok, CANCELLABLE, values, now, note), skipped)


def resolve(
    session: Session, delivery_id: int, published: bool, now: dt.datetime, note: str | None = None
) -> Outcome:
    """Settle an uncertain row after checking the channel by hand."""
    ok, skipped = select_ids(session, [delivery_id], Filters(), (UNCERTAIN,))
    state = PUBLISHED if published else FAILED
    values: dict[str, object] = {"state": state, "reason": note or f"resolved by {who()}"}
    if published:
        values["published_at"] = now
    name = f"resolve-{state}"
    return Outcome(name, _apply(session, name, ok, (UNCERTAIN,), values, now, note), skipped)


def approve(session: Session, ids: Sequence[int], filters: Filters, now: dt.datetime) -> Outcome:
    """Release rows awaiting approval; they are planned again and go out when due."""
    ok, skipped = select_ids(session, ids, filters, (AWAITING_APPROVAL,))
    values: dict[str, object] = {"state": PLANNED, "reason": f"approved by {who()}"}
    return Outcome(
        "approve", _apply(session, "approve", ok, (AWAITING_APPROVAL,), values, now, None), skipped
    )
