"""What every console page renders with: its language, links that keep it, the signed-in role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, render_template, request, url_for

from worker.reports.words import LANGS
from worker.web.api import site
from worker.web.words import console_words


def lang() -> str:
    chosen = request.args.get("lang", "vi")
    return chosen if chosen in LANGS else "vi"


def link(endpoint: str, **values: Any) -> str:
    """A URL that keeps the page's language."""
    if lang() != "vi":
        values["lang"] = lang()
    return url_for(endpoint, **{k: v for k, v in values.items() if v})


def render(template: str, now: dt.datetime, **context: Any) -> str:
    chosen = lang()
    other = "en" if chosen == "vi" else "vi"
    # keys starting with _ (_method, _external, _anchor) steer url_for itself: never pass them
    query = {k: v for k, v in request.args.items() if not k.startswith("_")}
    switch = url_for(
        request.endpoint or "overview", **{**(request.view_args or {}), **query, "lang": other}
    )
    return render_template(
        template,
        t=console_words(chosen),
        lang=chosen,
        now=now,
        switch=switch,
        who=g.get("who"),
        accounts=g.get("accounts", False),
        config=site().runtime.config,
        show_hosts=bool(site().runtime.setting("show_hosts", default=False)),
        **context,
    )
