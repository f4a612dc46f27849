"""Delivery reports from Kannel and eSMS as one event, merged so a late callback never regresses.

Kannel calls the `dlr-url` once per status per recipient, in no fixed order: a final 1 can
come before the 8 (SMSC accepted). `merge_state` is a join (order-free, idempotent), so
applying callbacks in any order and any number of times gives the same state.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from channels.recipients import normalise_vn_mobile

# Kannel dlr-mask bits, most decisive first: a combined value takes its first match.
KANNEL_STATES: tuple[tuple[int, str], ...] = (
    (1, "delivered"),
    (2, "failed"),
    (16, "rejected"),
    (4, "buffered"),
    (8, "accepted"),
)
FINAL = frozenset({"delivered", "failed", "rejected"})
RANK = {"accepted": 0, "buffered": 1, "rejected": 2, "failed": 3, "delivered": 4}
"""Higher wins: any final beats a non-final; among finals the phone's own report wins."""

# Our parameters, then Kannel escapes: %p receiver, %d status, %T time, %F SMSC id, %i smsc-id
KANNEL_DLR_QUERY = "delivery={delivery}&to=%p&status=%d&at=%T&fid=%F&smsc=%i&answer=%A"
_NUMBER = re.compile(r"-?[0-9]+")
_REQUEST_ID = re.compile(r"^loa-(\d+)-[0-9A-Za-z]+$")


class DlrError(ValueError):
    """A callback that cannot be read (missing or bad field): answer it 400 and log it."""


@dataclass(frozen=True)
class DlrEvent:
    """One status report for one recipient of one delivery."""

    delivery_id: int
    recipient: str
    status_code: int
    state: str  # "delivered" | "failed" | "accepted" | "buffered" | "rejected"
    final: bool
    smsc_id: str | None = None
    at: dt.datetime | None = None
    remote_id: str | None = None


def kannel_dlr_url(base: str, delivery_id: int) -> str:
    """The dlr-url for one request: our callback with our delivery id and Kannel's escapes."""
    if "%" in base:
        raise ValueError("a dlr_url base must not contain '%': Kannel would read it as an escape")
    joiner = "&" if urlsplit(base).query else ("" if base.endswith("?") else "?")
    return base + joiner + KANNEL_DLR_QUERY.format(delivery=int(delivery_id))


def _int(query: Mapping[str, str], key: str) -> int:
    value = (query.get(key) or "").strip()
    if not _NUMBER.fullmatch(value):
        raise DlrError(f"callback field {key!r} must be a number, got {value[:40]!r}")
    return int(value)


def _time(stamp: str) -> dt.datetime | None:
    """Kannel's %T (unix seconds) as an aware UTC time; None when absent or absurd."""
    if not _NUMBER.fullmatch(stamp.strip()):
        return None
    try:
        return dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _recipient(query: Mapping[str, str], key: str) -> str:
    raw = (query.get(key) or "").strip()
    if not raw:
        raise DlrError(f"callback field {key!r} (recipient) is missing")
    return normalise_vn_mobile(raw) or raw


def kannel_state(status: int) -> str:
    """The state a Kannel DLR type means; raises DlrError for a value with no known bit."""
    for bit, state in KANNEL_STATES:
        if status & bit:
            return state
    raise DlrError(f"Kannel DLR status {status} has no known bit")


def parse_kannel_dlr(query: Mapping[str, str]) -> DlrEvent:
    """Read the GET Kannel makes to a `kannel_dlr_url`; raises DlrError when it is not one."""
    status = _int(query, "status")
    state = kannel_state(status)
    return DlrEvent(
        delivery_id=_int(query, "delivery"),
        recipient=_recipient(query, "to"),
        status_code=status,
        state=state,
        final=state in FINAL,
        smsc_id=(query.get("smsc") or None),
        at=_time(query.get("at") or ""),
        remote_id=(query.get("fid") or None),
    )


def esms_request_delivery(request_id: str) -> int:
    """The delivery id inside an eSMS RequestId we made (`loa-<delivery>-<batch key>`)."""
    match = _REQUEST_ID.match(request_id.strip())
    if not match:
        raise DlrError(f"RequestId {request_id[:60]!r} is not one loa sent")
    return int(match.group(1))


def esms_state(send_status: int, success: int, failed: int) -> str:
    """eSMS SendStatus: 5 is done (then success/failed counts decide), 4 refused, others pending."""
    if send_status == 4:
        return "rejected"
    if send_status == 5 and success > 0:
        return "delivered"
    if send_status == 5 and failed > 0:
        return "failed"
    return "accepted"


def parse_esms_callback(query: Mapping[str, str]) -> DlrEvent:
    """Read the GET eSMS makes to CallbackUrl; raises DlrError when it is not one of ours."""
    status = _int(query, "SendStatus")
    success = _int(query, "SendSuccess") if query.get("SendSuccess") else 0
    failed = _int(query, "SendFailed") if query.get("SendFailed") else 0
    state = esms_state(status, success, failed)
    return DlrEvent(
        delivery_id=esms_request_delivery(query.get("RequestId") or ""),
        recipient=_recipient(query, "phonenumber"),
        status_code=status,
        state=state,
        final=state in FINAL,
        smsc_id=f"esms:{query['telcoid']}" if query.get("telcoid") else "esms",
        remote_id=(query.get("SMSID") or None),
    )


def merge_state(old: str | None, new: str) -> str:
    """The state after `new` arrives: a non-final never replaces a final, whatever the order."""
    if new not in RANK:
        raise DlrError(f"unknown delivery state {new!r}")
    if old is None or old not in RANK:
        return new
    return new if RANK[new] > RANK[old] else old
