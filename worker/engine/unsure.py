"""SMS numbers the gateway may or may not have (a batch whose answer never came), resolved.

Before an attempt, numbers with a delivery report count as sent. The rest wait for reports up
to `sms_settle_seconds` after they became unsure; after that window they are sent once more
(`sms_unsure: resend`, the default), or the row is left `uncertain` for an operator
(`sms_unsure: hold`, and for a number already sent once more that stays unsure). A delivery
whose sending is done but has numbers still waiting stays `retrying` until the window ends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from worker.engine.progress import mark, merge
from worker.engine.runtime import Runtime
from worker.store.models import PUBLISHED, RETRYING, UNCERTAIN
from worker.store.smsreports import reported

DEFAULT_SETTLE = 900


def settle_seconds(rt: Runtime) -> int:
    return int(rt.setting("sms_settle_seconds", default=DEFAULT_SETTLE))


def window_end(rt: Runtime, progress: dict[str, Any]) -> dt.datetime:
    """When the unsure numbers of `progress` stop waiting for their reports."""
    since = progress.get("unsure_at")
    start = dt.datetime.fromisoformat(since) if since else rt.now()
    return start + dt.timedelta(seconds=settle_seconds(rt))


def settle(rt: Runtime, delivery_id: int, progress: dict[str, Any]) -> dict[str, Any]:
    """Progress with reported unsure numbers moved to `sent` and, once the window is over
    (resend mode), the others released to be sent once more (listed in `resent`)."""
    if progress.get("posting"):  # a batch in flight when its worker died: the gateway may have it
        rest = {k: v for k, v in progress.items() if k != "posting"}
        progress = mark(merge(rest, (), tuple(progress["posting"])), rt.now())
    unsure = list(progress.get("unsure", ()))
    if not unsure:
        return progress
    with rt.sessions() as s:
        got = reported(s, delivery_id, unsure)
    settled = merge(progress, tuple(sorted(got)))
    left = set(settled.get("unsure", ()))
    if not left or rt.now() < window_end(rt, settled):
        return mark(settled, rt.now())
    if rt.setting("sms_unsure", default="resend") != "resend":
        return settled
    again = left - set(settled.get("resent", ()))
    if not again:
        return settled
    settled["resent"] = sorted(set(settled.get("resent", ())) | again)
    settled["unsure"] = sorted(left - again)
    if not settled["unsure"]:
        del settled["unsure"]
    return mark(settled, rt.now())


def verdict(rt: Runtime, progress: dict[str, Any], values: dict[str, Any]) -> None:
    """Set the row's state and reason for numbers still unsure after this attempt."""
    unsure = progress.get("unsure", ())
    if not unsure:
        return
    ends = window_end(rt, progress)
    waiting = rt.now() < ends
    if waiting:
        values["reason"] = (
            f"{len(unsure)} recipient(s) unconfirmed by the gateway: waiting for delivery"
            f" reports until {ends.isoformat(timespec='seconds')}"
        )
    else:
        values["reason"] = (
            f"{len(unsure)} recipient(s) unconfirmed by the gateway and without a delivery"
            " report: an operator decides (loa retry ID sends to them, loa resolve ID"
            " --published counts them as sent)"
        )
    if values.get("state") != PUBLISHED:
        return
    if waiting:
        values.update(state=RETRYING, next_attempt_at=ends)
    else:
        values["state"] = UNCERTAIN
