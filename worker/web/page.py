"""The operators' console (`loa serve`): server-rendered HTML and a small JSON API.

Served by waitress (as `loa callbacks` is). Without accounts it is the read-only status page,
bound to 127.0.0.1 by default; with accounts (`loa users add`) everyone signs in, and what
each may do follows the account's role (worker/web/auth.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, Response, abort, request, url_for

from campaigns.periods import Period, parse_period
from worker.engine.runtime import Clock, Runtime, system_clock
from worker.reports import charts
from worker.reports import progress as campaign_progress
from worker.reports.assessment import assessment
from worker.reports.letterhead import subject
from worker.reports.report import BUCKETS, Report, build_report
from worker.reports.tables import awaiting_notes, summary_table, topics_table
from worker.reports.words import ago, local_time, state_name
from worker.store import reads as overview
from worker.store.accounts import any_enabled
from worker.store.filters import Filters
from worker.web import auth, calendar, console, people, queues
from worker.web.api import Site, api, site
from worker.web.render import lang, link, render
from worker.web.security import relative_paths, secure
from worker.web.serving import Served
from worker.web.words import cause

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8088


def create_app(runtime: Runtime, *, wall_clock: Clock = system_clock) -> Flask:
    """The Flask app over one runtime; `wall_clock` ages heartbeats (they are wall-clock)."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["loa"] = Site(runtime, wall_clock)
    app.register_blueprint(api)
    auth.install(app, runtime)
    app.jinja_env.filters.update(
        local_time=local_time,
        ago=lambda d: ago(d, lang()),
        rel=lambda text: relative_paths(text, runtime.config.root, runtime.outbox),
    )
    app.jinja_env.globals.update(link=link, state_name=lambda s: state_name(s, lang()))
    app.add_url_rule("/", "overview", overview_page)
    app.add_url_rule("/campaigns/<campaign_id>", "campaign", campaign_page)
    app.add_url_rule("/failures", "failures", queues.failures_page)
    app.add_url_rule("/approvals", "approvals", queues.approvals_page)
    app.add_url_rule("/calendar", "calendar", calendar.calendar_page)
    app.add_url_rule("/deliveries", "deliveries", console.deliveries_page)
    app.add_url_rule("/deliveries/<int:delivery_id>", "delivery", console.delivery_page)
    app.add_url_rule("/deliveries/<int:delivery_id>/slide.png", "slide", console.slide_png)
    app.add_url_rule("/deliveries/<int:delivery_id>/post.html", "post", console.post_html)
    app.add_url_rule("/act", "act", console.act, methods=["POST"])
    app.add_url_rule("/accounts", "accounts", people.accounts_page)
    app.add_url_rule("/accounts", "change_account", people.change_account, methods=["POST"])
    app.add_url_rule("/report", "report", report_page)
    app.add_url_rule("/report/<chart>.png", "report_chart", report_chart)
    return secure(app)


def overview_page() -> str:
    """Counts by state, campaigns, heartbeats, sources in error and the latest failures."""
    rt, now = site().runtime, site().wall_clock()
    f = Filters()
    campaigns = sorted(rt.config.campaigns.values(), key=lambda c: (c.start, c.id))
    with rt.sessions() as s:
        return render(
            "overview.html",
            now,
            states=overview.state_counts(s, f),
            late=overview.late_count(s, f, now),
            beats=overview.beats(s, now),
            sources=overview.sources_in_error(s),
            failures=overview.failures(s, rt.config, f, limit=10),
            said_of=lambda r: cause(r.last_error, r.reason).said(lang()),
            said_error=lambda text: cause(text, None).said(lang()),
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
    return render(
        "campaign.html",
        site().wall_clock(),
        campaign=c,
        progress=progress,
        units=[(code, name) for code, name in progress.units if code in c.units],
        buckets=BUCKETS,
        goals=goals,
        quarter=quarter,
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
    report, chosen = _report_of(), lang()
    query: dict[str, Any] = {k: v for k, v in request.args.items() if v}
    query.setdefault("period", report.period.label)
    return render(
        "report.html",
        site().wall_clock(),
        report=report,
        heading=subject(report.period, chosen),
        summary=summary_table(report, chosen),
        topics=topics_table(report, chosen),
        notes=awaiting_notes(report, chosen),
        assessment=assessment(report, chosen),
        months_png=url_for("report_chart", chart="months", **query),
        quotas_png=url_for("report_chart", chart="quotas", **query) if report.goals else None,
    )


def report_chart(chart: str) -> Response:
    """A chart of the report as PNG, drawn by the same code as the DOCX's."""
    if chart not in ("months", "quotas"):
        abort(404)
    report = _report_of()
    if chart == "months":
        return Response(charts.months_chart(report, lang()), mimetype="image/png")
    return Response(charts.quotas_chart(report, lang()) or abort(404), mimetype="image/png")


def make_app_server(runtime: Runtime, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Served:
    """The console under waitress, bound now (port 0 picks a free one: see `.server_port`)."""
    return Served(create_app(runtime), host, port)


def serve(runtime: Runtime, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the console until interrupted (SIGINT/SIGTERM end the process)."""
    server = make_app_server(runtime, host, port)
    print(f"loa: console on http://{host}:{server.server_port}/ (Ctrl+C stops it)", flush=True)
    with runtime.sessions() as s:
        if not any_enabled(s):
            print("loa: no account yet: the page is read-only for whoever reaches it", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl+C is how an operator stops it: not a failure
        pass
    finally:
        server.shutdown()
