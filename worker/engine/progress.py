"""Each SMS batch's answer stored before the next batch goes: a crash loses one batch at most.

The transport calls a `BatchLog` (as `Message.on_batch`) before each batch with the numbers it
is about to post, and after it with the gateway's answer. One write per batch: the answer is
folded into the progress in memory and written together with the next batch's numbers
(`posting`), before that batch is posted; the last answer is written with the attempt's outcome.
A worker killed in between leaves its batch `posting`, which the next attempt counts as unsure
(settled by delivery reports, `worker/engine/unsure.py`). Writes are fenced by the claim
number and retried through a short outage; a lost claim stops the send: someone else holds
the row now.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from worker.engine import journal
from worker.engine.runtime import Runtime
from worker.store import progress as stored

log = logging.getLogger(__name__)


class ClaimLost(BaseException):
    """The row is no longer this attempt's: stop sending, record nothing.

    A BaseException, so no `except Exception` on the way (a transport's, the attempt's own
    catch-all) turns it into a recorded outcome; `deliver` catches it."""


def merge(
    progress: dict[str, Any], sent: tuple[str, ...] = (), unsure: tuple[str, ...] = ()
) -> dict[str, Any]:
    """`progress` with `sent` and `unsure` added; a number sent is no longer unsure."""
    merged = dict(progress)
    if sent:
        merged["sent"] = sorted(set(merged.get("sent", ())) | set(sent))
    if unsure:
        merged["unsure"] = sorted(set(merged.get("unsure", ())) | set(unsure))
    if sent and merged.get("unsure"):
        merged["unsure"] = sorted(set(merged["unsure"]) - set(sent))
        if not merged["unsure"]:
            del merged["unsure"]
    return merged


def mark(progress: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Stamp when numbers became unsure (the first time since the last settling)."""
    if progress.get("unsure") and not progress.get("unsure_at"):
        return {**progress, "unsure_at": now.isoformat()}
    if not progress.get("unsure"):
        return {k: v for k, v in progress.items() if k != "unsure_at"}
    return progress


class BatchLog:
    """Keeps one attempt's progress and writes it to the row after each batch."""

    def __init__(self, rt: Runtime, delivery_id: int, claim: int, progress: dict[str, Any]) -> None:
        self.rt, self.delivery_id, self.claim = rt, delivery_id, claim
        self.progress = dict(progress)
        self.answers = 0
        self.segments = 0  # parts per number, stored with the count once the message is built

    def __call__(
        self, accepted: tuple[str, ...], unsure: tuple[str, ...], posting: tuple[str, ...] = ()
    ) -> None:
        """Store the batch about to be posted (`posting`) with the answers so far, or keep a
        batch's answer for the next write (the next batch's, or the outcome's)."""
        if posting:
            self.store({**self.progress, "posting": sorted(posting)})
            return
        done = {k: v for k, v in self.progress.items() if k != "posting"}
        self.progress = mark(merge(done, accepted, unsure), self.rt.now())
        self.answers += 1

    def store(self, progress: dict[str, Any]) -> None:
        """Write `progress` to the row now (ClaimLost if the claim is gone)."""
        self.progress = progress
        count = len(progress.get("sent", ()))

        def write() -> bool:  # one fenced UPDATE on the thread's kept connection: one round trip
            with self.rt.atomic() as c:
                return stored.record_progress(
                    c, self.delivery_id, self.claim, progress, count, self.segments
                )

        if not journal.patiently(write):
            log.warning("delivery %s: claim %s lost mid-send", self.delivery_id, self.claim)
            raise ClaimLost(f"delivery {self.delivery_id}: claim {self.claim} lost mid-send")
