"""Keys loa makes once and keeps in the database, unless the environment gives one."""

from __future__ import annotations

import datetime as dt
import os
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.store.models import Secret
from worker.store.queries import insert_ignoring_existing

DLR_ENV = "LOA_DLR_SECRET"
"""The delivery-report HMAC key from the environment (every worker and `loa callbacks` alike)."""


def dlr_key(session: Session) -> bytes:
    """The key that signs each delivery's report URL: $LOA_DLR_SECRET, else made once here."""
    given = os.environ.get(DLR_ENV)
    if given:
        return given.encode()
    row = {"name": "dlr", "value": secrets.token_hex(32), "created_at": dt.datetime.now(dt.UTC)}
    insert_ignoring_existing(session, Secret.__table__, [row], ["name"])
    value = session.scalar(select(Secret.value).where(Secret.name == "dlr"))
    assert value is not None
    return value.encode()
