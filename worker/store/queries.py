"""Every state transition of a delivery, named as verbs; the caller owns the transaction.

Planning (inserting new rows) lives in worker/store/planning.py; a delivery's claim, progress,
lease and recorded outcome (the hot path of every delivery) in worker/store/claims.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from worker.store import claims
from worker.store.models import (
    PLANNED,
    QUEUED,
    RETRYING,
    SENDING,
    SKIPPED,
    UNSENT_STATES,
    Delivery,
)

# The claim and record of a delivery live in worker/store/claims.py; callers use queries.X.
ATTEMPTS, DELIVERIES, ITEMS = claims.ATTEMPTS, claims.DELIVERIES, claims.ITEMS
Claim = claims.Claim
affected = claims.affected
claim_delivery = claims.claim_delivery
record_outcome = claims.record_outcome
renew_lease = claims.renew_lease


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
    session: Session,
    now: dt.datetime,
    *,
    limit: int = 5000,
    held: Iterable[str] = (),
    recent_since: dt.datetime | None = None,
) -> list[tuple[int, str]]:
    """Move planned or retrying rows whose next attempt is due (not in quiet hours) to queued.

    Without `recent_since`: the first `limit` due rows, oldest due first. With it, rows that
    fell due after `recent_since` go first (in due order) and the batch is filled with the
    oldest backlog: a post that falls due during a long drain goes out about on time instead
    of behind every row already late. The recent rows take at most half a batch while older
    ones wait, so the backlog still moves every batch (no starvation); if the backlog runs out
    first, the rest of the batch is more recent rows. A batch shorter than `limit` therefore
    still means nothing else is due (what dispatch_due stops on).

    Returned recent rows first, then the old ones, each in due order: the order to enqueue.
    """
    held = list(held)
    if recent_since is None:
        return _promote(session, now, limit, held, Delivery.next_attempt_at <= now)
    recent = and_(Delivery.next_attempt_at > recent_since, Delivery.next_attempt_at <= now)
    share = limit - limit // 2
    first = _promote(session, now, share, held, recent)
    old = _promote(session, now, limit - len(first), held, Delivery.next_attempt_at <= recent_since)
    more: list[tuple[int, str]] = []
    if len(first) == share and len(first) + len(old) < limit:
        more = _promote(session, now, limit - len(first) - len(old), held, recent)
    return first + more + old


def _promote(
    session: Session, now: dt.datetime, limit: int, held: list[str], due: Any
) -> list[tuple[int, str]]:
    """One statement, UPDATE ... WHERE id IN (the first `limit` ids matching `due`) RETURNING
    id, channel: the ids never travel back to the server as `limit` bound parameters (which
    psycopg parses one by one), and it is one round trip. Returned in due order."""
    if limit <= 0:
        return []
    picked = (
        select(Delivery.id)
        .where(Delivery.state.in_((PLANNED, RETRYING)), due, Delivery.channel.not_in(held))
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
