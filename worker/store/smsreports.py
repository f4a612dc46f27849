"""Reads of the delivery reports (`sms_reports`) that decide and show who has an SMS."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from worker.store.models import SmsReport


def reported(session: Session, delivery_id: int, numbers: Iterable[str] = ()) -> dict[str, str]:
    """number → report state for one delivery (only `numbers` when given)."""
    wanted = set(numbers)
    query = select(SmsReport.recipient, SmsReport.state).where(SmsReport.delivery_id == delivery_id)
    rows = session.execute(query).all()
    return {n: s for n, s in rows if not wanted or n in wanted}


def by_reports(
    session: Session, delivery_id: int, progress: dict[str, Any] | None, *, release: bool
) -> dict[str, Any] | None:
    """An SMS row's progress with every number that has a delivery report counted as sent;
    with `release`, the numbers still unsure are let go so the next attempt sends to them
    (an operator's `loa retry`). None when the row has no SMS progress to change."""
    if not progress or not (progress.get("sent") or progress.get("unsure")):
        return None
    got = reported(session, delivery_id)
    sent = set(progress.get("sent", ())) | set(got)
    unsure = (set(progress.get("unsure", ())) | set(progress.get("posting", ()))) - sent
    changed = {k: v for k, v in progress.items() if k not in ("unsure", "unsure_at", "posting")}
    changed["sent"] = sorted(sent)
    if unsure and not release:
        changed["unsure"] = sorted(unsure)
        changed["unsure_at"] = progress.get("unsure_at")
    elif unsure:  # an operator chose to send to them again: once more, not again automatically
        changed["resent"] = sorted(set(progress.get("resent", ())) | unsure)
    return changed


RECIPIENT_STATES = ("delivered", "failed", "accepted", "unsure", "never sent")
"""What `loa show` says of each number of an SMS delivery, most certain first."""


def recipient_states(
    session: Session, delivery_id: int, progress: dict[str, Any] | None, listed: Iterable[str]
) -> dict[str, list[str]]:
    """Each number's state: its final report (delivered, failed), else accepted (the gateway
    took it, or a report says it is on its way), unsure, or never sent (on the list only)."""
    progress = progress or {}
    got = reported(session, delivery_id)
    sent = set(progress.get("sent", ()))
    unsure = set(progress.get("unsure", ())) | set(progress.get("posting", ()))
    states: dict[str, list[str]] = {state: [] for state in RECIPIENT_STATES}
    for number in sorted(sent | unsure | set(got) | set(listed)):
        report = got.get(number)
        if report == "delivered":
            states["delivered"].append(number)
        elif report in ("failed", "rejected"):
            states["failed"].append(number)
        elif report is not None or number in sent:
            states["accepted"].append(number)
        elif number in unsure:
            states["unsure"].append(number)
        else:
            states["never sent"].append(number)
    return states


def sent_to(progress: dict[str, Any] | None) -> set[str]:
    """Every number an attempt of this delivery posted (accepted, unsure, in flight, resent)."""
    progress = progress or {}
    keys = ("sent", "unsure", "posting", "resent")
    return {number for key in keys for number in progress.get(key, ())}


def report_counts(session: Session, ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """delivery id → {"delivered", "failed", "pending"}: its numbers by delivery report."""
    wanted = list(ids)
    counts: dict[int, dict[str, int]] = {
        i: {"delivered": 0, "failed": 0, "pending": 0} for i in wanted
    }
    if not wanted:
        return counts
    query = (
        select(SmsReport.delivery_id, SmsReport.state, func.count())
        .where(SmsReport.delivery_id.in_(wanted))
        .group_by(SmsReport.delivery_id, SmsReport.state)
    )
    for delivery_id, state, n in session.execute(query):
        key = {"delivered": "delivered", "failed": "failed", "rejected": "failed"}.get(state)
        counts[delivery_id][key or "pending"] += int(n)
    return counts
