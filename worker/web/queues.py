"""The approval queue (by item, one preview per channel) and failures grouped by target and
cause, each group acted on at once through `POST /act` (which confirms, saying how many)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from campaigns.model import CHANNEL_KINDS
from worker.store import console as reads
from worker.store import reads as overview
from worker.store.reads import Row
from worker.web.api import filters_from, site
from worker.web.console import body_text, preview_of
from worker.web.render import lang, render
from worker.web.words import Cause, cause

ITEMS_A_PAGE = 20
"""Items on one page of the approval queue (each with its previews built on the fly)."""


def approvals_page() -> str:
    rt = site().runtime
    filters = filters_from(request.args, rt.config)
    with rt.sessions() as s:
        queue = reads.approval_queue(s, rt.config, filters)
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    pages = max(1, -(-len(queue) // ITEMS_A_PAGE))
    start = (min(number, pages) - 1) * ITEMS_A_PAGE
    shown = []
    for group in queue[start : start + ITEMS_A_PAGE]:  # previews are built for the page only
        per_channel = []
        for channel, row in group.per_channel().items():
            preview, problem = preview_of(row.id)
            per_channel.append((channel, row, preview, problem, body_text(preview)))
        shown.append((group, per_channel))
    return render(
        "approvals.html",
        site().wall_clock(),
        queue=shown,
        items=len(queue),
        page=min(number, pages),
        pages=pages,
        query={k: v for k, v in request.args.items() if v and k != "page"},
        filters=filters,
        channels=CHANNEL_KINDS,
    )


@dataclass
class Group:
    """Failures of one target with one cause."""

    target: str
    unit_name: str
    channel: str
    cause: Cause
    rows: list[Row] = field(default_factory=list)
    raw: dict[str, int] = field(default_factory=dict)  # each raw error text, how many times

    @property
    def ids(self) -> list[int]:
        return [r.id for r in self.rows]


def grouped(rows: list[Row]) -> list[Group]:
    """Rows by (target, cause), the biggest group first."""
    groups: dict[tuple[str, str, str], Group] = {}
    for r in rows:
        c = cause(r.last_error, r.reason)
        key = (r.target, r.state, c.key)
        group = groups.setdefault(key, Group(r.target, r.unit_name, r.channel, c))
        group.rows.append(r)
        raw = " · ".join(t for t in (r.reason, r.last_error) if t)
        group.raw[raw] = group.raw.get(raw, 0) + 1
    return sorted(groups.values(), key=lambda g: (-len(g.rows), g.target))


def failures_page() -> str:
    """Failed and uncertain deliveries by target and cause, then the published ones that carry a
    note (a WordPress post without its categories, say), narrowed like the report."""
    rt = site().runtime
    f = filters_from(request.args, rt.config)
    with rt.sessions() as s:
        rows = reads.failed_rows(s, rt.config, f)
        noted = overview.noted(s, rt.config, f)
    groups = grouped(rows)
    return render(
        "failures.html",
        site().wall_clock(),
        groups=groups,
        total=len(rows),
        noted=noted,
        filters=f,
        channels=CHANNEL_KINDS,
        said=lambda c: c.said(lang()),
        said_of=lambda r: cause(r.last_error, r.reason).said(lang()),
    )
