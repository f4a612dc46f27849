"""The read-only status page (`loa serve`): server-rendered HTML and a small JSON API.

Served by werkzeug's threaded WSGI server: the page is read-only and bound to 127.0.0.1 by
default, so no production server is needed to look at it; put it behind a proxy to share it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, Response, abort, render_template, request, url_for
from werkzeug.serving import BaseWSGIServer, make_server

from campaigns.model import CHANNEL_KINDS
from campaigns.periods import Period, parse_period
from worker.engine.runtime import Clock, Runtime, system_clock
from worker.reports import charts
from worker.reports import progress as campaign_progress
from worker.reports.assessment import assessment
from worker.reports.letterhead import subject
from worker.reports.report import BUCKETS, Report, build_report
from worker.reports.tables import awaiting_notes, summary_table, topics_table
from worker.reports.words import LANGS, ago, local_time, page_words, state_name
from worker.store import reads as overview
from worker.store.filters import Filters
from worker.web.api import Site, api, filters_from, limit_from, site
from worker.web.security import QuietHandler, relative_paths, secure

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8088


def create_app(runtime: Runtime, *, wall_clock: Clock = system_clock) -> Flask:
    """The Flask app over one runtime; `wall_clock` ages heartbeats (they are wall-clock)."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["loa"] = Site(runtime, wall_clock)
    app.register_blueprint(api)
    app.jinja_env.filters.update(
        local_time=local_time,
        ago=lambda d: ago(d, _lang()),
        rel=lambda text: relative_paths(text, runtime.config.root, runtime.outbox),
    )
    app.jinja_env.globals.update(link=_link, state_name=lambda s: state_name(s, _lang()))
    app.add_url_rule("/", "overview", overview_page)
    app.add_url_rule("/campaigns/<campaign_id>", "campaign", campaign_page)
    app.add_url_rule("/failures", "failures", failures_page)
    app.add_url_rule("/report", "report", report_page)
    app.add_url_rule("/report/<chart>.png", "report_chart", report_chart)
    return secure(app)


def _lang() -> str:
    lang = request.args.get("lang", "vi")
    return lang if lang in LANGS else "vi"


def _link(endpoint: str, **values: Any) -> str:
    """A URL that keeps the page's language."""
    if _lang() != "vi":
        values["lang"] = _lang()
    return url_for(endpoint, **{k: v for k, v in values.items() if v})


def _render(template: str, now: dt.datetime, **context: Any) -> str:
    lang = _lang()
    other = "en" if lang == "vi" else "vi"
    # keys starting with _ (_method, _external, _anchor) steer url_for itself: never pass them
    query = {k: v for k, v in request.args.items() if not k.startswith("_")}
    switch = url_for(
        request.endpoint or "overview", **{**(request.view_args or {}), **query, "lang": other}
    )
    return render_template(
        template,
        t=page_words(lang),
        lang=lang,
        now=now,
        switch=switch,
        config=site().runtime.config,
        show_hosts=bool(site().runtime.setting("show_hosts", default=False)),
        **context,
    )


def overview_page() -> str:
    """Counts by state, campaigns, heartbeats, sources in error and the latest failures."""
    rt, now = site().runtime, site().wall_clock()
    f = Filters()
    campaigns = sorted(rt.config.campaigns.values(), key=lambda c: (c.start, c.id))
    with rt.sessions() as s:
        return _render(
            "overview.html",
            now,
            states=overview.state_counts(s, f),
            late=overview.late_count(s, f, now),
            beats=overview.beats(s, now),
            sources=overview.sources_in_error(s),
            failures=overview.failures(s, rt.config, f, limit=10),
            campaigns=[(c, overview.state_counts(s, Filters(c.id))) for c in campaigns],
        )


def campaign_page(campaign_id: str) -> str:
    """Progress per unit over the campaign, and its quotas for the current quarter."""
    rt = site().runtime
    c = rt.config.campaigns.get(campaign_id) or abort(404)
    quarter = parse_period(campaign_progress.current_quarter(c, rt.now()))
    with rt.sessions() as s:
        progress = campaign_progress.progress(s, rt.config, c)
        goals = build_report(s, rt.config, quarter, c.id).goals
    return _render(
        "campaign.html",
        site().wall_clock(),
        campaign=c,
        progress=progress,
        units=[(code, name) for code, name in progress.units if code in c.units],
        buckets=BUCKETS,
        goals=goals,
        quarter=quarter,
    )


def failures_page() -> str:
    """Failed and uncertain deliveries with their reasons, narrowed like the report."""
    rt = site().runtime
    f = filters_from(request.args, rt.config)
    with rt.sessions() as s:
        rows = overview.failures(s, rt.config, f, limit=limit_from(request.args, 200))
    return _render(
        "failures.html", site().wall_clock(), rows=rows, filters=f, channels=CHANNEL_KINDS
    )


def _report_of() -> Report:
    """The report the query asks for: ?period= (default: this quarter), ?campaign=, ?unit=."""
    rt = site().runtime
    period = request.args.get("period") or _this_quarter(rt.now())
    try:
        chosen: Period = parse_period(period)
    except ValueError:
        abort(400)
    campaign, unit = request.args.get("campaign") or None, request.args.get("unit") or None
    if (campaign and campaign not in rt.config.campaigns) or (unit and unit not in rt.config.units):
        abort(404)
    with rt.sessions() as s:
        return build_report(s, rt.config, chosen, campaign, unit=unit)


def _this_quarter(now: dt.datetime) -> str:
    return f"{now.year}-Q{(now.month - 1) // 3 + 1}"


def report_page() -> str:
    """The report for people who would rather look than read: the báo cáo's charts and totals."""
    report, lang = _report_of(), _lang()
    query: dict[str, Any] = {k: v for k, v in request.args.items() if v}
    query.setdefault("period", report.period.label)
    return _render(
        "report.html",
        site().wall_clock(),
        report=report,
        heading=subject(report.period, lang),
        summary=summary_table(report, lang),
        topics=topics_table(report, lang),
        notes=awaiting_notes(report, lang),
        assessment=assessment(report, lang),
        months_png=url_for("report_chart", chart="months", **query),
        quotas_png=url_for("report_chart", chart="quotas", **query) if report.goals else None,
    )


def report_chart(chart: str) -> Response:
    """A chart of the report as PNG, drawn by the same code as the DOCX's."""
    if chart not in ("months", "quotas"):
        abort(404)
    report = _report_of()
    if chart == "months":
        return Response(charts.months_chart(report, _lang()), mimetype="image/png")
    return Response(charts.quotas_chart(report, _lang()) or abort(404), mimetype="image/png")


def make_app_server(
    runtime: Runtime, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> BaseWSGIServer:
    """A threaded server bound now (port 0 picks a free one: see `.server_port`)."""
    return make_server(host, port, create_app(runtime), threaded=True, request_handler=QuietHandler)


def serve(runtime: Runtime, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the status page until interrupted (SIGINT/SIGTERM end the process)."""
    server = make_app_server(runtime, host, port)
    print(f"loa: status page on http://{host}:{server.server_port}/ (Ctrl+C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl+C is how an operator stops it: not a failure
        pass
    finally:
        server.server_close()
