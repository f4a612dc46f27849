"""Delivery reports from Kannel and eSMS as one event, merged so a late callback never regresses.

Kannel calls the `dlr-url` once per status per recipient, in no fixed order: a final 1 can
come before the 8 (SMSC accepted). `merge_state` is a join (order-free, idempotent), so
applying callbacks in any order and any number of times gives the same state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

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
KANNEL_CODES = range(32)
"""Kannel's %d: the five dlr-mask bits (one per event; a combination reads as its first)."""
ESMS_CODES = range(10)
"""eSMS SendStatus is one digit (5 done, 4 refused, the others still on the way)."""
MAX_FIELD = 200
"""The longest value any field of a report may have (a longer one is refused, 400)."""
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


def sign(key: bytes, delivery_id: int) -> str:
    """The HMAC-SHA256 (hex, 32 characters) a delivery's report URL carries as `sig`."""
    return hmac.new(key, f"loa-dlr:{int(delivery_id)}".encode(), hashlib.sha256).hexdigest()[:32]


def signed(key: bytes, delivery_id: int, given: str | None) -> bool:
    """Whether `given` is the delivery's signature (compared in constant time)."""
    return bool(given) and hmac.compare_digest(sign(key, delivery_id), str(given))


def _joiner(base: str) -> str:
    return "&" if urlsplit(base).query else ("" if base.endswith("?") else "?")


def kannel_dlr_url(base: str, delivery_id: int, sig: str | None = None) -> str:
    """The dlr-url for one request: our callback with our delivery id, its signature and
    Kannel's escapes."""
    if "%" in base:
        raise ValueError("a dlr_url base must not contain '%': Kannel would read it as an escape")
    query = KANNEL_DLR_QUERY.format(delivery=int(delivery_id))
    return base + _joiner(base) + query + (f"&sig={sig}" if sig else "")


def esms_callback_url(base: str, delivery_id: int | None, sig: str | None) -> str:
    """eSMS's CallbackUrl for one request: with our delivery id and its signature when known."""
    if delivery_id is None or not sig:
        return base
    return base + _joiner(base) + urlencode({"delivery": int(delivery_id), "sig": sig})


def check_sizes(query: Mapping[str, str]) -> None:
    """DlrError when a report has too many fields or one too long to be a gateway's."""
    if len(query) > 20:
        raise DlrError("too many fields")
    for key, value in query.items():
        if len(key) > 40 or len(value) > MAX_FIELD:
            raise DlrError(f"field {key[:40]!r} is too long")


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
    if status not in KANNEL_CODES:
        raise DlrError(f"Kannel DLR status {status} is not one Kannel sends")
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
    if status not in ESMS_CODES:
        raise DlrError(f"eSMS SendStatus {status} is not one eSMS sends")
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
