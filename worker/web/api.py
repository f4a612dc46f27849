"""The status page's JSON API under /api/, and the query-string parsing the pages share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException

from campaigns.model import CHANNEL_KINDS, TZ, Config
from campaigns.periods import Period, parse_period
from worker.engine.runtime import Runtime
from worker.reports.report import BUCKET_STATES, BUCKETS, Report, build_report
from worker.store import reads as overview
from worker.store.filters import Filters
from worker.store.models import STATES
from worker.web.security import relative_paths

MAX_LIMIT = 5000


def filters_from(args: Mapping[str, str], config: Config) -> Filters:
    """campaign=, unit=, channel= from a query string; raises BadRequest for unknown values."""
    campaign, unit, channel = (args.get(k) or None for k in ("campaign", "unit", "channel"))
    if campaign and campaign not in config.campaigns:
        raise BadRequest(f"campaign: no campaign '{campaign}'")
    if unit and unit not in config.units:
        raise BadRequest(f"unit: no unit '{unit}'")
    if channel and channel not in CHANNEL_KINDS:
        raise BadRequest(f"channel: use one of {', '.join(CHANNEL_KINDS)}")
    return Filters(campaign, unit, channel)


def period_from(args: Mapping[str, str], *, required: bool = False) -> Period | None:
    text = args.get("period") or None
    if text is None:
        if required:
            raise BadRequest("period: required, like 2024-Q1, 2024-H1, 2024 or A..B")
        return None
    try:
        return parse_period(text)
    except ValueError as e:
        raise BadRequest(f"period: {e}") from e


def states_from(args: Mapping[str, str]) -> tuple[str, ...]:
    """state= a delivery state, or a report bucket (pending is every unfinished state)."""
    state = args.get("state") or None
    if state is None:
        return ()
    if state in BUCKET_STATES:
        return BUCKET_STATES[state]
    if state in STATES:
        return (state,)
    raise BadRequest(f"state: use one of {', '.join(STATES)}, or pending")


def limit_from(args: Mapping[str, str], default: int = 100) -> int:
    text = args.get("limit") or str(default)
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise BadRequest(f"limit: a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def report_json(report: Report) -> dict[str, Any]:
    """The report with the same cells as the table, CSV and XLSX."""
    chans = report.channels

    def cells(unit: str, channel: str | None) -> dict[str, int]:
        return {b: report.count(unit, channel, b) for b in BUCKETS}

    units = [
        {
            "code": code,
            "name": name,
            "channels": {c: cells(code, c) for c in chans},
            "total": cells(code, None),
            "sms": report.sms[code].__dict__ if code in report.sms else None,
        }
        for code, name in report.units
    ]
    p = report.period
    # each row's "target" is its "quota" under the old key, kept for existing API clients
    quotas = [
        {**g.__dict__, "target": g.quota, "gap": g.gap, "behind": g.behind} for g in report.goals
    ]
    return {
        "period": {
            "label": p.label,
            "label_vi": p.label_vi(),
            "start": _iso(p.start),
            "end": _iso(p.end),
        },
        "filters": report.filters.__dict__,
        "units": units,
        "totals": report.totals(),
        "topics": [
            {
                "topic": t.topic,
                "name": report.topic_table.label(t.topic) if t.topic else None,
                "name_en": report.topic_table.label(t.topic, "en") if t.topic else None,
                "channels": t.channels,
                "total": t.total,
            }
            for t in report.topics
        ],
        "topic_totals": report.topic_totals,
        "quotas": quotas,
        "targets": quotas,  # the old key, kept for existing API clients
    }


def _iso(when: dt.datetime) -> str:
    return when.astimezone(TZ).isoformat()


@dataclass(frozen=True)
class Site:
    """What the views read from: the runtime, and the wall clock that ages heartbeats."""

    runtime: Runtime
    wall_clock: Callable[[], dt.datetime]


def site() -> Site:
    found: Site = current_app.extensions["loa"]
    return found


api = Blueprint("api", __name__, url_prefix="/api")


@api.errorhandler(HTTPException)
def _error(e: HTTPException) -> tuple[Response, int]:
    return jsonify(error=e.description), e.code or 500


@api.get("/status")
def status() -> Response:
    """Counts by state (narrowed like the report), heartbeats with age, sources in error."""
    rt, now = site().runtime, site().wall_clock()
    filters = filters_from(request.args, rt.config)
    with rt.sessions() as s:
        period = period_from(request.args)
        states = overview.state_counts(s, filters, period)
        late = overview.late_count(s, filters, now, period)
        beats = overview.beats(s, now)
        sources = overview.sources_in_error(s)
    return jsonify(
        now=_iso(now),
        states=states,
        late=late,
        heartbeats=[_beat_json(b) for b in beats],
        sources_in_error=[
            {
                "id": x.id,
                "kind": x.kind,
                "failures": x.failures,
                # a source read from its local copy (offline) has a note and no error
                "last_error": x.last_error or x.note,
                "note": x.note,
            }
            for x in sources
        ],
    )


@api.get("/deliveries")
def deliveries() -> Response:
    """The latest deliveries matching campaign/unit/channel/state/period, and their total."""
    rt = site().runtime
    filters = filters_from(request.args, rt.config)
    states, period = states_from(request.args), period_from(request.args)
    limit = limit_from(request.args)
    with rt.sessions() as s:
        rows = overview.deliveries(s, rt.config, filters, states=states, period=period, limit=limit)
        total = overview.count(s, filters, states=states, period=period)
    shown = [_relative(r.as_json(), rt) for r in rows]
    return jsonify(total=total, count=len(rows), deliveries=shown)


def _relative(row: dict[str, object], rt: Runtime) -> dict[str, object]:
    """Paths inside the config and outbox folders as the page shows them (`outbox/…`), so the
    API hands out no absolute path and no file:// address."""
    for key in ("remote_url", "last_error", "reason"):
        if row.get(key) is not None:
            row[key] = relative_paths(row[key], rt.config.root, rt.outbox)
    return row


@api.get("/report")
def report() -> Response:
    """The report for ?period= (required), narrowed by campaign, unit and channel."""
    rt = site().runtime
    filters = filters_from(request.args, rt.config)
    period = period_from(request.args, required=True)
    assert period is not None
    with rt.sessions() as s:
        result = build_report(
            s, rt.config, period, filters.campaign, unit=filters.unit, channel=filters.channel
        )
    return jsonify(report_json(result))


def _beat_json(b: overview.Beat) -> dict[str, Any]:
    return {
        "name": b.name,
        "role": b.role,
        "host": b.host,
        "pid": b.pid,
        "seen_at": _iso(b.seen_at),
        "age_seconds": int(b.age.total_seconds()),
        "stale": b.stale,
        "healthy": b.healthy,
        "error": b.error,
        "failed_at": _iso(b.failed_at) if b.failed_at else None,
    }
