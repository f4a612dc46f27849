"""Console accounts: add, change a password, disable, list, and check a password at sign-in.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile);
only the hash is stored. A hash made with older parameters is upgraded at the next sign-in.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from worker.store.models import Account, Action

ROLES = ("viewer", "operator", "approver", "admin")
"""From least to most: each role may do what the roles before it may."""
GRANTS: dict[str, tuple[str, ...]] = {
    "viewer": (),
    "operator": ("retry", "cancel", "resolve"),
    "approver": ("retry", "cancel", "resolve", "approve", "reject"),
    "admin": ("retry", "cancel", "resolve", "approve", "reject", "accounts"),
}
"""What each role may do; viewers only read."""
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_hasher = PasswordHasher()
# a hash of nothing anybody types, checked when the account is unknown so that a wrong name
# takes as long as a wrong password
_DUMMY = _hasher.hash("loa: no such account")


class AccountError(ValueError):
    """A bad name, role or password, or an account that does not exist (or already does)."""


@dataclass(frozen=True)
class Who:
    """A signed-in account as the console sees it; `stamp` changes with the password."""

    name: str
    role: str
    stamp: str

    def may(self, action: str) -> bool:
        return action in GRANTS.get(self.role, ())


def stamp_of(password_hash: str) -> str:
    """A short part of the hash (its salted digest), kept in the session: a new password or a
    disabled account ends every session made before it."""
    return password_hash[-16:]


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise AccountError(
            f"account name '{name}': 2 to 64 lower-case letters, digits, '.', '_' or '-'"
        )
    return name


def check_password(password: str) -> str:
    password = unicodedata.normalize("NFC", password)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"password: {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"role '{role}': use one of {', '.join(ROLES)}")
    return role


def add(session: Session, name: str, role: str, password: str, now: dt.datetime) -> None:
    check_name(name)
    check_role(role)
    if session.get(Account, name) is not None:
        raise AccountError(f"account '{name}' already exists (use `loa users passwd`)")
    digest = _hasher.hash(check_password(password))
    session.add(
        Account(
            name=name,
            role=role,
            password_hash=digest,
            disabled=False,
            created_at=now,
            updated_at=now,
        )
    )


def _get(session: Session, name: str) -> Account:
    found = session.get(Account, name)
    if found is None:
        raise AccountError(f"no account '{name}'")
    return found


def passwd(session: Session, name: str, password: str, now: dt.datetime) -> None:
    """A new password (and its sessions end); a disabled account is enabled again by it."""
    row = _get(session, name)
    row.password_hash = _hasher.hash(check_password(password))
    row.disabled, row.updated_at = False, now


def set_role(session: Session, name: str, role: str, now: dt.datetime) -> None:
    row = _get(session, name)
    row.role, row.updated_at = check_role(role), now


def disable(session: Session, name: str, now: dt.datetime) -> None:
    row = _get(session, name)
    row.disabled, row.updated_at = True, now


def listing(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.name)))


def any_enabled(session: Session) -> bool:
    """Whether the console asks anyone to sign in (else it is the read-only page of old)."""
    q = select(func.count()).select_from(Account).where(Account.disabled.is_(False))
    return int(session.execute(q).scalar_one()) > 0


def verify(session: Session, name: str, password: str) -> Who | None:
    """The account if `password` is its password and it is enabled; None otherwise."""
    row = session.get(Account, name) if NAME.match(name) else None
    digest = row.password_hash if row is not None else _DUMMY
    try:
        _hasher.verify(digest, unicodedata.normalize("NFC", password))
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(unicodedata.normalize("NFC", password))
    return Who(row.name, row.role, stamp_of(row.password_hash))


def current(session: Session, name: str, stamp: str) -> Who | None:
    """The account a session names, if it is still enabled with the same password."""
    row = session.get(Account, name)
    if row is None or row.disabled or stamp_of(row.password_hash) != stamp:
        return None
    return Who(row.name, row.role, stamp)


def record(session: Session, by: str, action: str, detail: str, now: dt.datetime) -> None:
    """An account change in the operators' audit trail (no delivery), never a password."""
    session.add(
        Action(at=now, user=by, action=f"account-{action}", delivery_id=None, detail=detail)
    )


def changes(session: Session, limit: int = 50) -> list[Action]:
    """The latest account changes, newest first."""
    q = (
        select(Action)
        .where(Action.action.like("account-%"))
        .order_by(Action.at.desc(), Action.id.desc())
    )
    return list(session.scalars(q.limit(limit)))
