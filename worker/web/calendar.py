"""The calendar: a month or a week of deliveries by due time, per campaign, unit and channel.

Each entry is coloured by state and opens its delivery. An unsent entry due inside its
channel's quiet hours shows when the window opens (it is held until then); one awaiting
approval says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import request
from werkzeug.exceptions import BadRequest

from campaigns.model import CHANNEL_KINDS, TZ
from worker.engine.retry import in_quiet_hours
from worker.store import console as reads
from worker.store.models import UNSENT_STATES
from worker.store.reads import Row
from worker.web.api import filters_from, site
from worker.web.render import render


@dataclass(frozen=True)
class Entry:
    row: Row
    at: dt.datetime  # local due time
    held_until: dt.datetime | None  # quiet hours: when the window opens


def _anchor(text: str | None, today: dt.date) -> dt.date:
    if not text:
        return today
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise BadRequest(f"date '{text}': use YYYY-MM-DD") from e


def span(view: str, anchor: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """First and last+1 day shown, and the anchors of the previous and next page."""
    if view == "week":
        first = anchor - dt.timedelta(days=anchor.weekday())
        return first, first + dt.timedelta(days=7), first - dt.timedelta(7), first + dt.timedelta(7)
    first = anchor.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    before = (first - dt.timedelta(days=1)).replace(day=1)
    return first - dt.timedelta(days=first.weekday()), _monday_after(after), before, after


def _monday_after(day: dt.date) -> dt.date:
    """The day after the Sunday closing the week that holds the day before `day`."""
    last = day - dt.timedelta(days=1)
    return last + dt.timedelta(days=7 - last.weekday())


def calendar_page() -> str:
    rt = site().runtime
    view = "week" if request.args.get("view") == "week" else "month"
    anchor = _anchor(request.args.get("date"), rt.now().astimezone(TZ).date())
    first, end, before, after = span(view, anchor)
    filters = filters_from(request.args, rt.config)
    start = dt.datetime.combine(first, dt.time(), TZ)
    stop = dt.datetime.combine(end, dt.time(), TZ)
    with rt.sessions() as s:
        rows = reads.between(s, rt.config, filters, start, stop)
    days: dict[dt.date, list[Entry]] = {
        first + dt.timedelta(days=i): [] for i in range((end - first).days)
    }
    for r in rows:
        at = r.due_at.astimezone(TZ)
        held = None
        if r.state in UNSENT_STATES:
            held = in_quiet_hours(rt.channel_settings(r.channel).get("quiet_hours"), at)
        days[at.date()].append(Entry(r, at, held))
    weeks = [list(days.items())[i : i + 7] for i in range(0, len(days), 7)]
    return render(
        "calendar.html",
        site().wall_clock(),
        view=view,
        anchor=anchor,
        weeks=weeks,
        before=before,
        after=after,
        filters=filters,
        channels=CHANNEL_KINDS,
        total=len(rows),
        limit=6 if view == "month" else 40,  # entries shown a day; a link leads to the rest
    )
