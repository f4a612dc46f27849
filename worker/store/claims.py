"""A delivery's claim, progress, lease and recorded outcome: the statements every delivery runs.

Built once as Core statements; each call only binds new parameters (no ORM identity map, no
statement built or cache-keyed per call). On PostgreSQL the claim and the record are each one
statement, so a caller in autocommit (`Runtime.atomic`) pays one round trip for each:

- claim: `UPDATE deliveries ... FROM content_items ... RETURNING` the row and its item;
- record: `WITH recorded AS (UPDATE deliveries ... RETURNING id) INSERT INTO attempts SELECT
  ... FROM recorded`: the attempt is written only if the fenced UPDATE matched, in the same
  statement, so both or neither happen.

SQLite (one writer, no network) runs the claim as UPDATE ... RETURNING plus a primary-key
SELECT of the item, and the record as an UPDATE then an INSERT in the caller's transaction.

The claim returns only the columns a delivery reads (`CLAIMED_DELIVERY`, `CLAIMED_ITEM`), as
plain read-only copies rather than ORM objects: building two mapped instances and describing
42 returned columns cost ~15 % of a delivery's CPU.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from worker.store.models import QUEUED, RETRYING, SENDING, Attempt, ContentItem, Delivery

DELIVERIES = cast(Table, Delivery.__table__)
ITEMS = cast(Table, ContentItem.__table__)
ATTEMPTS = cast(Table, Attempt.__table__)
Executor = Session | Connection


def affected(result: Any) -> int:
    """Rows an UPDATE or INSERT touched."""
    return int(result.rowcount or 0)


def _postgres(on: Executor) -> bool:
    bind = on.get_bind() if isinstance(on, Session) else on
    return bind.dialect.name == "postgresql"


CLAIMED_DELIVERY = (
    *("id", "item_id", "campaign", "unit", "target", "channel", "state", "due_at"),
    *("attempts", "claims", "worker", "lease_until", "remote_id", "progress"),
)
"""The delivery's columns a claim returns: what deliver(), build_message and context_for read."""
CLAIMED_ITEM = (
    *("id", "key", "kind", "title", "summary", "body_html", "link", "video_url", "image_url"),
    *("published", "topics", "source"),
)
"""The item's columns a claim returns: what as_item, context_for and with_local_image read."""


@dataclass(frozen=True)
class Claim:
    delivery: Any
    """The claimed row's `CLAIMED_DELIVERY` columns as attributes (a copy, read only)."""
    item: Any
    """Its item's `CLAIMED_ITEM` columns as attributes (a copy, read only)."""
    claim: int


def _copy(keys: tuple[str, ...], values: Any) -> SimpleNamespace:
    return SimpleNamespace(**dict(zip(keys, values, strict=True)))


_CLAIMABLE = and_(
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
_CLAIMED = {
    "state": SENDING,
    "claims": DELIVERIES.c.claims + 1,
    "lease_until": bindparam("claim_lease"),
    "worker": bindparam("claim_worker"),
    "updated_at": bindparam("claim_now"),
}
_DELIVERY_COLUMNS = [DELIVERIES.c[k] for k in CLAIMED_DELIVERY]
_ITEM = select(*(ITEMS.c[k] for k in CLAIMED_ITEM)).where(ITEMS.c.id == bindparam("item_id"))
_ITEM_COLUMNS = [ITEMS.c[k].label(f"item__{k}") for k in CLAIMED_ITEM]
# A claim whose answer was lost (the connection cut after PostgreSQL committed it) left the row
# `sending` under this worker's name: only that worker may take it again (worker.engine.doubt).
_OWN = and_(
    DELIVERIES.c.id == bindparam("claim_id"),
    DELIVERIES.c.state == SENDING,
    DELIVERIES.c.worker == bindparam("claim_worker"),
)


def _statements(condition: Any) -> tuple[Any, Any]:
    """(SQLite's UPDATE ... RETURNING the row, PostgreSQL's returning its item as well; FROM
    locks only the updated row)."""
    alone = update(DELIVERIES).where(condition).values(_CLAIMED).returning(*_DELIVERY_COLUMNS)
    with_item = (
        update(DELIVERIES)
        .where(condition, DELIVERIES.c.item_id == ITEMS.c.id)
        .values(_CLAIMED)
        .returning(*_DELIVERY_COLUMNS, *_ITEM_COLUMNS)
    )
    return alone, with_item


_CLAIM, _CLAIM_WITH_ITEM = _statements(_CLAIMABLE)
_RECLAIM, _RECLAIM_WITH_ITEM = _statements(_OWN)
_SPLIT = len(CLAIMED_DELIVERY)


def claim_delivery(
    on: Executor,
    delivery_id: int,
    now: dt.datetime,
    lease: dt.timedelta,
    worker: str,
    *,
    own: bool = False,
) -> Claim | None:
    """Take a queued row (or a retrying one that is due) for this worker with a conditional
    UPDATE, so two messages do one publish. `own`: take instead a row left `sending` under this
    worker's name by a claim whose answer was lost (the caller makes sure none of its threads
    holds it).

    The row comes back from the UPDATE itself (RETURNING), with its item on PostgreSQL; on
    SQLite the item by its primary key. Both are plain copies of the columns a delivery reads:
    the caller reads them, never writes through them.
    """
    params = {
        "claim_id": delivery_id,
        "claim_lease": now + lease,
        "claim_worker": worker,
        "claim_now": now,
    }
    if _postgres(on):
        row = on.execute(_RECLAIM_WITH_ITEM if own else _CLAIM_WITH_ITEM, params).first()
        if row is None:
            return None
        delivery = _copy(CLAIMED_DELIVERY, row[:_SPLIT])
        return Claim(delivery, _copy(CLAIMED_ITEM, row[_SPLIT:]), delivery.claims)
    found = on.execute(_RECLAIM if own else _CLAIM, params).first()
    if found is None:
        return None
    item_row = on.execute(_ITEM, {"item_id": found.item_id}).one()
    delivery = _copy(CLAIMED_DELIVERY, found)
    return Claim(delivery, _copy(CLAIMED_ITEM, item_row), delivery.claims)


# An attempt's number is one more than the delivery's highest so far, counted in the INSERT:
# `attempts` on the row restarts at 0 when an operator retries, the history never does.
def _next_number(delivery_id: Any) -> Any:
    return (
        select(func.coalesce(func.max(ATTEMPTS.c.number), 0) + 1)
        .where(ATTEMPTS.c.delivery_id == delivery_id)
        .scalar_subquery()
    )


_RECORD_ATTEMPT = insert(ATTEMPTS).values(number=_next_number(bindparam("attempt_of")))
_ATTEMPT_KEYS = tuple(c.key for c in ATTEMPTS.c if c.key not in ("id", "number"))


def record_outcome(
    on: Executor,
    delivery_id: int,
    claim: int,
    attempt: Attempt,
    values: dict[str, Any],
    states: tuple[str, ...] | list[str] = (SENDING,),
) -> bool:
    """Write the attempt and the new state, only if this worker still holds the claim.

    The attempt is numbered here, after the delivery's earlier attempts (its `number` is not
    used): the row's `attempts` counts the current retry budget only, so after `loa retry`
    `d.attempts + 1` would repeat a number. The claim UPDATE above locks the row, so two
    recordings for one delivery never race for the same number. `states`: a journaled outcome
    replayed late may also settle a row the lease sweep meanwhile left `uncertain`.
    """
    params: dict[str, Any] = {f"set_{k}": v for k, v in values.items()}
    params.update(rec_id=delivery_id, rec_claim=claim)
    row = {k: getattr(attempt, k) for k in _ATTEMPT_KEYS}
    if _postgres(on):
        both = _record_with_attempt(tuple(values), tuple(states))
        params.update({f"att_{k}": v for k, v in row.items()})
        return on.execute(both, params).first() is not None
    result = on.execute(_record_statement(tuple(values), tuple(states)), params)
    if affected(result) != 1:
        return False
    on.execute(_RECORD_ATTEMPT, {**row, "attempt_of": delivery_id})
    return True


_RECORDS: dict[tuple[bool, tuple[str, ...], tuple[str, ...]], Any] = {}


def _record_statement(keys: tuple[str, ...], states: tuple[str, ...]) -> Any:
    """The outcome UPDATE for this set of columns, built once per shape (a handful: published,
    retrying, failed, each with or without progress, SMS counts, a reason) rather than per
    delivery: building and cache-keying a fresh statement cost ~0.2 ms of CPU a delivery."""
    key = (False, keys, states)
    statement = _RECORDS.get(key)
    if statement is None:
        sets = {k: bindparam(f"set_{k}", type_=DELIVERIES.c[k].type) for k in keys}
        statement = (
            update(DELIVERIES)
            .where(
                DELIVERIES.c.id == bindparam("rec_id"),
                # equalities, not IN: an IN list is an "expanding" parameter, re-rendered into
                # the SQL at every execution (~3 % of a delivery's CPU)
                or_(*(DELIVERIES.c.state == state for state in states)),
                DELIVERIES.c.claims == bindparam("rec_claim"),
            )
            .values(attempts=DELIVERIES.c.attempts + 1, lease_until=None, **sets)
        )
        _RECORDS[key] = statement
    return statement


def _record_with_attempt(keys: tuple[str, ...], states: tuple[str, ...]) -> Any:
    """PostgreSQL: the fenced UPDATE as a CTE and the attempt INSERTed from what it returned,
    one statement (it returns the attempt's id only when the claim still held)."""
    key = (True, keys, states)
    statement = _RECORDS.get(key)
    if statement is None:
        recorded = _record_statement(keys, states).returning(DELIVERIES.c.id).cte("recorded")
        columns = [bindparam(f"att_{k}", type_=ATTEMPTS.c[k].type).label(k) for k in _ATTEMPT_KEYS]
        source = select(*columns, _next_number(recorded.c.id).label("number"))
        statement = (
            insert(ATTEMPTS)
            .from_select([*_ATTEMPT_KEYS, "number"], source.select_from(recorded))
            .add_cte(recorded)
            .returning(ATTEMPTS.c.id)
        )
        _RECORDS[key] = statement
    return statement


_RENEW = (
    update(DELIVERIES)
    .where(
        DELIVERIES.c.id == bindparam("renew_id"),
        DELIVERIES.c.state == SENDING,
        DELIVERIES.c.claims == bindparam("renew_claim"),
    )
    .values(lease_until=bindparam("renew_until"))
)


def renew_lease(on: Executor, delivery_id: int, claim: int, until: dt.datetime) -> bool:
    """Extend the lease of a row this worker still holds (same claim number, still sending)."""
    params = {"renew_id": delivery_id, "renew_claim": claim, "renew_until": until}
    return affected(on.execute(_RENEW, params)) == 1
