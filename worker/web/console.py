"""The console's delivery pages and its one action endpoint.

`/deliveries`: search and filters with paging. `/deliveries/ID`: one delivery in full with the
preview of exactly what it publishes and the buttons its state and the account's role allow.
`POST /act`: every button; more than one row asks first, saying how many. The change itself is
`worker.actions`, the same functions the command line calls, recorded under the account's name.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, request
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from campaigns.model import CHANNEL_KINDS, TZ
from campaigns.periods import Period
from channels.outbox import render as rendered
from worker import actions
from worker.engine.preview import Preview, previews
from worker.store import console as reads
from worker.store.filters import Filters
from worker.store.models import AWAITING_APPROVAL, STATES, UNCERTAIN
from worker.web.api import filters_from, site, states_from
from worker.web.auth import require
from worker.web.render import lang, link, render
from worker.web.words import cause, console_words

POST_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
)
"""The post preview's own policy: no script, no request anywhere, framed by the console only."""
ACTIONS = ("retry", "cancel", "approve", "reject", "resolve-published", "resolve-failed")


def search_from(args: Any) -> reads.Search:
    """The filter bar: campaign, unit, channel, state, due from/to (dates), text."""
    rt = site().runtime
    start, end = _day(args.get("from")), _day(args.get("to"))
    period = None
    if start or end:
        first = start or dt.datetime(2000, 1, 1, tzinfo=TZ)
        last = (end or dt.datetime(2100, 1, 1, tzinfo=TZ)) + dt.timedelta(days=1)
        period = Period("range", first, last)
    text = (args.get("q") or "").strip()[:200]
    return reads.Search(filters_from(args, rt.config), states_from(args), period, text)


def _day(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), TZ)
    except ValueError as e:
        raise BadRequest(f"date '{text}': use YYYY-MM-DD") from e


def deliveries_page() -> str:
    rt = site().runtime
    search = search_from(request.args)
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    with rt.sessions() as s:
        rows, total = reads.search(s, rt.config, search, number)
    pages = max(1, -(-total // reads.PAGE_SIZE))
    query = {k: v for k, v in request.args.items() if v and k != "page"}
    return render(
        "deliveries.html",
        site().wall_clock(),
        rows=rows,
        total=total,
        page=number,
        pages=pages,
        query=query,
        search=search,
        channels=CHANNEL_KINDS,
        states=STATES,
        causes={r.id: cause(r.last_error, r.reason).said(lang()) for r in rows},
    )


def delivery_page(delivery_id: int) -> str:
    rt = site().runtime
    with rt.sessions() as s:
        found = reads.full(s, delivery_id)
    if found is None:
        abort(404)
    d = found.delivery
    preview, problem = preview_of(delivery_id)
    names = {u.code: u.name for u in rt.config.units.values()}
    return render(
        "delivery.html",
        site().wall_clock(),
        d=d,
        item=found.item,
        attempts=found.attempts,
        acts=found.actions,
        unit_name=names.get(d.unit, d.unit),
        preview=preview,
        problem=problem,
        body=body_text(preview),
        cause=cause(d.last_error, d.reason).said(lang())
        if d.last_error or d.state in ("failed", "uncertain")
        else None,
        attempt_cause=lambda a: cause(a.error, None).said(lang()),
        buttons=buttons(d.state),
    )


def buttons(state: str) -> list[str]:
    """The actions a row in `state` takes (the template shows those the role may do)."""
    shown = []
    if state in actions.RETRYABLE:
        shown.append("retry")
    if state == AWAITING_APPROVAL:
        shown += ["approve", "reject"]
    if state == UNCERTAIN:
        shown += ["resolve-published", "resolve-failed"]
    if state in actions.CANCELLABLE and state != AWAITING_APPROVAL:
        shown.append("cancel")
    return shown


def preview_of(delivery_id: int) -> tuple[Preview | None, str | None]:
    """What the delivery publishes, built as the worker builds it; or why it cannot be shown."""
    rt = site().runtime
    try:
        found = next(iter(previews(rt, Filters(), (), [delivery_id], None)), None)
    except Exception as e:  # a recipients file gone, a font missing: say so, show the rest
        return None, f"{type(e).__name__}: {e}"
    if found is None:
        return None, "its target is no longer in the configuration"
    return found, None


def body_text(p: Preview | None) -> str | None:
    if p is None or p.delivery.channel in ("website", "screen"):
        return None
    if p.delivery.channel in ("facebook", "zalo"):
        return json.dumps(dict(p.message.body), ensure_ascii=False, indent=2)
    return p.message.text


def slide_png(delivery_id: int) -> Response:
    preview, _ = preview_of(delivery_id)
    if preview is None or preview.delivery.channel != "screen":
        abort(404)
    return Response(rendered(preview.message), mimetype="image/png")


def post_html(delivery_id: int) -> Response:
    """The post's HTML as the website gets it (sanitised by nh3 at ingest), in a sandbox."""
    preview, _ = preview_of(delivery_id)
    if preview is None or preview.delivery.channel != "website":
        abort(404)
    response = Response(rendered(preview.message), mimetype="text/html")
    response.headers["Content-Security-Policy"] = POST_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _ids() -> list[int]:
    values = request.form.getlist("ids")
    if not values or not all(v.isdigit() for v in values) or len(values) > 5000:
        raise BadRequest("ids: one or more delivery ids")
    return sorted({int(v) for v in values})


def _back() -> str:
    """Where to go after acting: a path on this site, else the overview."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return link("overview")


def act() -> WerkzeugResponse | str:
    """One button: the action, its rows (ids), a note; confirmed first when it is many rows."""
    action = request.form.get("action", "")
    if action not in ACTIONS:
        raise BadRequest(f"action: one of {', '.join(ACTIONS)}")
    who = require("resolve" if action.startswith("resolve") else action)
    ids, note = _ids(), (request.form.get("note") or "").strip()[:1000] or None
    rt = site().runtime
    if len(ids) > 1 and request.form.get("confirmed") != "1":
        with rt.sessions() as s:
            ok, _ = actions.select_ids(s, ids, Filters(), _eligible(action))
            shown = actions.pending(s, ok, 20)
        return render(
            "confirm.html",
            site().wall_clock(),
            action=action,
            ids=ok,
            shown=shown,
            note=note,
            back=_back(),
        )
    with rt.sessions.begin() as s:
        if action.startswith("resolve"):
            changed = 0
            for i in ids:
                one = actions.resolve(
                    s, i, action.endswith("published"), rt.now(), note, user=who.name
                )
                changed += len(one.changed)
        else:
            done = actions.BULK[action](s, ids, Filters(), rt.now(), note, user=who.name)
            changed = len(done.changed)
    words = console_words(lang())
    flash(words["done_count"].format(action=words.get(action, action), n=changed))
    return redirect(_back(), code=303)


def _eligible(action: str) -> tuple[str, ...]:
    return (UNCERTAIN,) if action.startswith("resolve") else actions.ELIGIBLE[action]
