"""The one write an SMS batch costs: its answer and the next batch's numbers, claim-fenced."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from worker.store.models import SENDING, Delivery
from worker.store.queries import affected

DELIVERIES = cast(Table, Delivery.__table__)


def record_progress(
    session: Session | Connection,
    delivery_id: int,
    claim: int,
    progress: dict[str, Any],
    recipients: int,
    segments: int = 0,
) -> bool:
    """Store a sending row's progress (one SMS batch answered), only while this claim holds it;
    `segments` each message has, when known (so a row a crash leaves is billed right). One
    statement: on an autocommit connection it is one round trip."""
    params = {"p_id": delivery_id, "p_claim": claim, "p_progress": progress, "p_count": recipients}
    if segments:
        result = session.execute(_PROGRESS_SEGMENTS, {**params, "p_segments": segments})
    else:
        result = session.execute(_PROGRESS, params)
    return affected(result) == 1


def _progress_statement(segments: bool) -> Any:
    """record_progress's UPDATE, built once (it runs once per SMS batch)."""
    sets: dict[str, Any] = {
        "progress": bindparam("p_progress", type_=DELIVERIES.c.progress.type),
        "recipients": bindparam("p_count", type_=DELIVERIES.c.recipients.type),
    }
    if segments:
        sets["segments"] = bindparam("p_segments", type_=DELIVERIES.c.segments.type)
    return (
        update(DELIVERIES)
        .where(
            DELIVERIES.c.id == bindparam("p_id"),
            DELIVERIES.c.state == SENDING,
            DELIVERIES.c.claims == bindparam("p_claim"),
        )
        .values(**sets)
    )


_PROGRESS, _PROGRESS_SEGMENTS = _progress_statement(False), _progress_statement(True)
