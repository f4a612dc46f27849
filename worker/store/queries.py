"""Every state transition of a delivery, named as verbs; the caller owns the transaction.

Planning (inserting new rows) lives in worker/store/planning.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from worker.store.models import (
    PLANNED,
    QUEUED,
    RETRYING,
    SENDING,
    SKIPPED,
    UNSENT_STATES,
    Attempt,
    ContentItem,
    Delivery,
)


def affected(result: Any) -> int:
    """Rows an UPDATE or INSERT touched."""
    return int(result.rowcount or 0)


def insert_ignoring_existing(
    session: Session, table: Any, rows: Sequence[dict[str, Any]], keys: list[str]
) -> int:
    """A set-based insert that skips rows whose unique key exists; returns how many were new."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
    else:  # pragma: no cover - other databases are not supported
        stmt = insert(table).prefix_with("IGNORE")
    result = session.execute(stmt.returning(table.c[keys[0]]), list(rows))
    return len(result.all())


# On PostgreSQL the row selections below use FOR UPDATE SKIP LOCKED, so two schedulers (during a
# lock hand-over) never promote or re-send the same rows; SQLite has one writer and ignores it.


def promote_due(
    session: Session, now: dt.datetime, *, limit: int = 5000, held: Iterable[str] = ()
) -> list[tuple[int, str]]:
    """Move planned or retrying rows whose next attempt is due (not in quiet hours) to queued.

    One statement, UPDATE ... WHERE id IN (the first `limit` due ids) RETURNING id, channel:
    the ids never travel back to the server as `limit` bound parameters (which psycopg parses
    one by one), and it is one round trip. Returned in due order, as they are to be enqueued.
    """
    picked = (
        select(Delivery.id)
        .where(
            Delivery.state.in_((PLANNED, RETRYING)),
            Delivery.next_attempt_at <= now,
            Delivery.channel.not_in(list(held)),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(picked.scalar_subquery()))
        .values(state=QUEUED, queued_at=now, updated_at=now)
        .returning(Delivery.id, Delivery.channel, Delivery.next_attempt_at)
        .execution_options(synchronize_session=False)
    ).all()
    ordered = sorted(rows, key=lambda r: (r.next_attempt_at, r.id))
    return [(r.id, r.channel) for r in ordered]


def defer(session: Session, channel: str, until: dt.datetime, now: dt.datetime) -> int:
    """Push due rows of a channel in quiet hours to when the window opens; never drop them.

    Only their next attempt moves: `due_at`, the report period, stays.
    """
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.channel == channel,
            Delivery.state.in_((PLANNED, RETRYING)),
            Delivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected(result)


def stale_queued(
    session: Session, now: dt.datetime, grace: dt.timedelta, limit: int = 5000
) -> list[tuple[int, str]]:
    """Rows queued long ago and never claimed: their message was lost, so send it again."""
    rows = session.execute(
        select(Delivery.id, Delivery.channel)
        .where(Delivery.state == QUEUED, Delivery.queued_at < now - grace)
        .order_by(Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    ids = [r.id for r in rows]
    if ids:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.state == QUEUED)
            .values(queued_at=now)
            .execution_options(synchronize_session=False)
        )
    return [(r.id, r.channel) for r in rows]


def queued_rows(session: Session) -> list[tuple[int, str]]:
    """Every queued row (id, channel): after a crash of the only worker, none has a message."""
    rows = session.execute(
        select(Delivery.id, Delivery.channel).where(Delivery.state == QUEUED).order_by(Delivery.id)
    ).all()
    return [(r.id, r.channel) for r in rows]


@dataclass(frozen=True)
class Claim:
    delivery: Delivery
    item: ContentItem
    claim: int


DELIVERIES = cast(Table, Delivery.__table__)
ITEMS = cast(Table, ContentItem.__table__)
ATTEMPTS = cast(Table, Attempt.__table__)

# Built once: the hot path of every delivery runs these with new parameters only, as plain
# Core statements (no ORM identity map, no statement built per call, no join loading).
_CLAIM = (
    update(DELIVERIES)
    .where(
        DELIVERIES.c.id == bindparam("claim_id"),
        or_(
            DELIVERIES.c.state == QUEUED,
            # a retry's delayed message may claim its row once due, before a tick promotes it
            and_(
                DELIVERIES.c.state == RETRYING,
                DELIVERIES.c.next_attempt_at <= bindparam("claim_now"),
            ),
        ),
    )
    .values(
        state=SENDING,
        claims=DELIVERIES.c.claims + 1,
        lease_until=bindparam("claim_lease"),
        worker=bindparam("claim_worker"),
        updated_at=bindparam("claim_now"),
    )
    .returning(*DELIVERIES.c)
)
_ITEM = select(*ITEMS.c).where(ITEMS.c.id == bindparam("item_id"))
# An attempt's number is one more than the delivery's highest so far, counted in the INSERT:
# `attempts` on the row restarts at 0 when an operator retries, the history never does.
_RECORD_ATTEMPT = insert(ATTEMPTS).values(
    number=select(func.coalesce(func.max(ATTEMPTS.c.number), 0) + 1)
    .where(ATTEMPTS.c.delivery_id == bindparam("attempt_of"))
    .scalar_subquery()
)


def claim_delivery(
    session: Session, delivery_id: int, now: dt.datetime, lease: dt.timedelta, worker: str
) -> Claim | None:
    """Take a queued row (or a retrying one that is due) for this worker with a conditional
    UPDATE, so two messages do one publish.

    The row comes back from the UPDATE itself (RETURNING); the item by its primary key.
    Both are detached copies: the caller reads them, never writes through them.
    """
    row = session.execute(
        _CLAIM,
        {
            "claim_id": delivery_id,
            "claim_lease": now + lease,
            "claim_worker": worker,
            "claim_now": now,
        },
    ).first()
    if row is None:
        return None
    item = session.execute(_ITEM, {"item_id": row.item_id}).one()
    delivery = Delivery(**row._mapping)
    return Claim(delivery, ContentItem(**item._mapping), delivery.claims)


def release(
    session: Session,
    delivery_id: int,
    claim: int,
    next_attempt: dt.datetime,
    now: dt.datetime,
    reason: str | None = None,
) -> bool:
    """Give a claimed row back without spending an attempt (a rate-limit wait, a shutdown)."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == SENDING, Delivery.claims == claim)
        .values(
            state=RETRYING,
            next_attempt_at=next_attempt,
            lease_until=None,
            updated_at=now,
            reason=reason,
            claims=Delivery.claims - 1,
        )
        .execution_options(synchronize_session=False)
    )
    return affected(result) == 1


def record_outcome(
    session: Session,
    delivery_id: int,
    claim: int,
    attempt: Attempt,
    values: dict[str, Any],
    states: Sequence[str] = (SENDING,),
) -> bool:
    """Write the attempt and the new state, only if this worker still holds the claim.

    The attempt is numbered here, after the delivery's earlier attempts (its `number` is not
    used): the row's `attempts` counts the current retry budget only, so after `loa retry`
    `d.attempts + 1` would repeat a number. The claim UPDATE above locks the row, so two
    recordings for one delivery never race for the same number. `states`: a journaled outcome
    replayed late may also settle a row the lease sweep meanwhile left `uncertain`.
    """
    statement = _record_statement(tuple(values), tuple(states))
    params = {f"set_{k}": v for k, v in values.items()}
    result = session.execute(statement, {**params, "rec_id": delivery_id, "rec_claim": claim})
    if affected(result) != 1:
        return False
    row = {c.key: getattr(attempt, c.key) for c in ATTEMPTS.c if c.key not in ("id", "number")}
    session.execute(_RECORD_ATTEMPT, {**row, "attempt_of": delivery_id})
    return True


_RECORDS: dict[tuple[tuple[str, ...], tuple[str, ...]], Any] = {}


def _record_statement(keys: tuple[str, ...], states: tuple[str, ...]) -> Any:
    """The outcome UPDATE for this set of columns, built once per shape (a handful: published,
    retrying, failed, each with or without progress, SMS counts, a reason) rather than per
    delivery: building and cache-keying a fresh statement cost ~0.2 ms of CPU a delivery."""
    key = (keys, states)
    statement = _RECORDS.get(key)
    if statement is None:
        sets = {k: bindparam(f"set_{k}", type_=DELIVERIES.c[k].type) for k in keys}
        statement = (
            update(DELIVERIES)
            .where(
                DELIVERIES.c.id == bindparam("rec_id"),
                DELIVERIES.c.state.in_(states),
                DELIVERIES.c.claims == bindparam("rec_claim"),
            )
            .values(attempts=DELIVERIES.c.attempts + 1, lease_until=None, **sets)
        )
        _RECORDS[key] = statement
    return statement


def renew_lease(session: Session, delivery_id: int, claim: int, until: dt.datetime) -> bool:
    """Extend the lease of a row this worker still holds (same claim number, still sending)."""
    result = session.execute(
        update(DELIVERIES)
        .where(
            DELIVERIES.c.id == delivery_id,
            DELIVERIES.c.state == SENDING,
            DELIVERIES.c.claims == claim,
        )
        .values(lease_until=until)
    )
    return affected(result) == 1


def expired_leases(session: Session, now: dt.datetime, limit: int = 500) -> list[Delivery]:
    """Rows `sending` whose lease ran out; rows another sweep or a renewal holds are skipped."""
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.state == SENDING, Delivery.lease_until < now)
            .order_by(Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def settle_expired(
    session: Session, delivery_id: int, claim: int, before: dt.datetime, **values: Any
) -> bool:
    """The lease sweep's verdict, written only if nothing moved since the sweep read the row.

    Fenced as a worker's own writes are: still `sending`, the same claim number, and the lease
    still ended before `before` (a renewal, or a release and a new claim, gives a later one).
    """
    result = session.execute(
        update(DELIVERIES)
        .where(
            DELIVERIES.c.id == delivery_id,
            DELIVERIES.c.state == SENDING,
            DELIVERIES.c.claims == claim,
            DELIVERIES.c.lease_until < before,
        )
        .values(**{"lease_until": None, **values})
    )
    return affected(result) == 1


def set_state(
    session: Session, delivery_id: int, from_states: Sequence[str], **values: Any
) -> bool:
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state.in_(from_states))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return affected(result) == 1


def skip_late(session: Session, before: dt.datetime, reason: str, now: dt.datetime) -> int:
    """Skip unsent rows due before `before` and untouched since (no plan, approval, retry, try).

    `updated_at` keeps a row planned late (a replay, a backfill) or brought back by an
    operator from being skipped at once for a due time long past.
    """
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.state.in_(UNSENT_STATES),
            Delivery.due_at < before,
            Delivery.updated_at < before,
        )
        .values(state=SKIPPED, updated_at=now, reason=reason)
        .execution_options(synchronize_session=False)
    )
    return affected(result)


def count_unfinished(session: Session, now: dt.datetime) -> int:
    """Rows a `--once` run still waits for: queued or sending, or planned/retrying and due."""
    due = and_(Delivery.state.in_((PLANNED, RETRYING)), Delivery.next_attempt_at <= now)
    return int(
        session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(or_(Delivery.state.in_((QUEUED, SENDING)), due))
        )
        or 0
    )
