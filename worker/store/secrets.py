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


WEB_ENV = "LOA_WEB_SECRET"
"""The console's session and CSRF signing key from the environment (every `loa serve` alike)."""


def dlr_key(session: Session) -> bytes:
    """The key that signs each delivery's report URL: $LOA_DLR_SECRET, else made once here."""
    return _key(session, "dlr", DLR_ENV)


def web_key(session: Session) -> bytes:
    """The key that signs the console's session cookies and CSRF tokens: $LOA_WEB_SECRET, else
    made once here (so every `loa serve` process over one database accepts the same cookies)."""
    return _key(session, "web", WEB_ENV)


def _key(session: Session, name: str, env: str) -> bytes:
    given = os.environ.get(env)
    if given:
        return given.encode()
    row = {"name": name, "value": secrets.token_hex(32), "created_at": dt.datetime.now(dt.UTC)}
    insert_ignoring_existing(session, Secret.__table__, [row], ["name"])
    value = session.scalar(select(Secret.value).where(Secret.name == name))
    assert value is not None
    return value.encode()
