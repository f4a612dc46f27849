"""`loa jobs` and `loa show`: deliveries as a table or JSON, one delivery in full."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.i18n import t
from campaigns.model import TZ
from channels.recipients import RecipientsError, list_of, problems
from worker.cli.args import BadInput, local_time, narrow, runtime_from
from worker.reports.tables import as_table
from worker.store.models import Action, Attempt, ContentItem, Delivery
from worker.store.reads import is_late
from worker.store.smsreports import recipient_states, report_counts

if TYPE_CHECKING:
    from worker.engine.runtime import Runtime


def jobs(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    now = rt.now()
    with rt.sessions() as s:
        q = narrow(
            select(Delivery, ContentItem.title).join(
                ContentItem, ContentItem.id == Delivery.item_id
            ),
            args,
            rt,
        )
        rows = [
            (r[0], r[1])
            for r in s.execute(
                q.order_by(Delivery.updated_at.desc(), Delivery.id.desc()).limit(args.limit)
            )
        ]
        reports = report_counts(s, [d.id for d, _ in rows if d.channel == "sms"])
    if args.json:
        print(
            json.dumps(
                [_delivery_json(d, title, now, reports.get(d.id)) for d, title in rows],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    table = [["id", "campaign", "unit", "channel", "state", "tries", "due", "title"]]
    table += [
        [
            str(d.id),
            d.campaign,
            d.unit,
            d.channel,
            f"{d.state}, late" if is_late(d.state, d.due_at, now) else d.state,
            str(d.attempts),
            local_time(d.due_at),
            title[:50],
        ]
        for d, title in rows
    ]
    print(as_table(table, totals=False) if rows else t("jobs.none"))
    return 0


def _delivery_json(
    d: Delivery, title: str, now: dt.datetime, reports: dict[str, int] | None = None
) -> dict[str, Any]:
    """A delivery as `jobs --json` and `show --json` print it; an SMS row's delivery reports
    as {"delivered", "failed", "pending"} numbers."""
    fields = (
        "id",
        "campaign",
        "unit",
        "target",
        "channel",
        "state",
        "attempts",
        "claims",
        "remote_id",
        "remote_url",
        "last_error",
        "reason",
        "segments",
        "recipients",
    )
    data: dict[str, Any] = {f: getattr(d, f) for f in fields}
    for f in ("due_at", "next_attempt_at", "updated_at", "published_at", "created_at"):
        value = getattr(d, f)
        data[f] = value.astimezone(TZ).isoformat() if value else None
    data["late"] = is_late(d.state, d.due_at, now)
    data["title"] = title
    if reports is not None:
        data["reports"] = reports
    return data


SHOWN = (
    "id",
    "title",
    "campaign",
    "unit",
    "target",
    "state",
    "late",
    "reason",
    "last_error",
    "attempts",
    "due_at",
    "next_attempt_at",
    "published_at",
    "remote_id",
    "remote_url",
    "recipients",
    "segments",
)
"""The fields `loa show` prints, in this order, when they have a value."""


def show(args: argparse.Namespace) -> int:
    data = _one_delivery(args)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for key in SHOWN:
        if data.get(key) not in (None, ""):
            print(f"{key:>15}: {data[key]}")
    _print_recipients(data.get("sms"), bool(getattr(args, "numbers", False)))
    for a in data["attempts_log"]:
        print(
            f"  attempt {a['number']} {a['started_at']} {a['outcome']}"
            f"{' HTTP ' + str(a['http_status']) if a['http_status'] else ''}"
            f"{': ' + a['error'] if a['error'] else ''}"
        )
    for a in data["actions"]:
        print(
            f"  action {a['at']} {a['user']} {a['action']}"
            + (f": {a['detail']}" if a["detail"] else "")
        )
    return 0


def _sms_recipients(rt: Runtime, s: Session, d: Delivery, numbers: bool) -> dict[str, Any]:
    """Counts (and with `numbers` the numbers) per recipient state of an SMS delivery."""
    target = rt.config.targets.get(d.target)
    try:
        whole = list_of(target) if target is not None else None
    except RecipientsError:
        whole = None
    listed = whole.numbers if whole is not None else ()
    states = recipient_states(s, d.id, d.progress, listed)
    shown: dict[str, Any] = {"counts": {k: len(v) for k, v in states.items()}}
    if whole is not None:
        shown["list"] = {
            "invalid": [{"row": r, "value": v, "why": w} for r, v, w in whole.rejected],
            "duplicates": whole.duplicates,
            "opted_out": whole.opted_out,
            "problems": problems(whole),
        }
    if numbers:
        shown["numbers"] = states
    return shown


def _print_recipients(sms: dict[str, Any] | None, numbers: bool) -> None:
    if not sms:
        return
    counts = ", ".join(f"{state} {count}" for state, count in sms["counts"].items())
    print(f"{'recipients by':>15}: {counts}")
    for line in sms.get("list", {}).get("problems", ()):
        print(f"{'list':>15}: {line}")
    for state, listed in sms.get("numbers", {}).items() if numbers else ():
        if listed:
            print(f"  {state} ({len(listed)}): {' '.join(listed)}")


def _one_delivery(args: argparse.Namespace) -> dict[str, Any]:
    """One delivery with its attempts and the operators' actions on it, as `show --json` prints."""
    rt = runtime_from(args)
    with rt.sessions() as s:
        d = s.get(Delivery, args.id)
        if d is None:
            raise BadInput(t("jobs.no_delivery", id=args.id))
        item = s.get(ContentItem, d.item_id)
        # In the order they were made: numbers recorded before they were counted per delivery
        # (`record_outcome`) restarted at 1 after an operator's retry.
        tries = list(
            s.scalars(
                select(Attempt)
                .where(Attempt.delivery_id == d.id)
                .order_by(Attempt.started_at, Attempt.id)
            )
        )
        acts = list(s.scalars(select(Action).where(Action.delivery_id == d.id).order_by(Action.id)))
        reports = report_counts(s, [d.id]).get(d.id) if d.channel == "sms" else None
        data = _delivery_json(d, item.title if item else "", rt.now(), reports)
        if d.channel == "sms":
            data["sms"] = _sms_recipients(rt, s, d, bool(getattr(args, "numbers", False)))
    data["progress"] = d.progress
    data["attempts_log"] = [
        {
            "number": a.number,
            "started_at": local_time(a.started_at),
            "outcome": a.outcome,
            "http_status": a.http_status,
            "error": a.error,
            "remote_id": a.remote_id,
            "worker": a.worker,
        }
        for a in tries
    ]
    data["actions"] = [
        {"at": local_time(a.at), "user": a.user, "action": a.action, "detail": a.detail}
        for a in acts
    ]
    return data
