"""The operators' subcommands: status, jobs, show, actions, preview, and the servers."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from campaigns.model import TZ
from worker.commands import _runtime
from worker.models import STATES, Action, Attempt, ContentItem, Delivery
from worker.periods import Period, parse_period
from worker.report import Filters, as_table
from worker.runtime import Runtime
from worker.terminal import paint


def _period(args: argparse.Namespace) -> Period | None:
    from worker.cli import BadInput

    try:
        return parse_period(args.period) if getattr(args, "period", None) else None
    except ValueError as e:
        raise BadInput(str(e)) from e


def _filters(args: argparse.Namespace, rt: Runtime) -> Filters:
    from worker.cli import BadInput

    if args.campaign and args.campaign not in rt.config.campaigns:
        raise BadInput(f"--campaign: no campaign '{args.campaign}' in the config")
    if args.unit and args.unit not in rt.config.units:
        raise BadInput(f"--unit: no unit '{args.unit}' in the config")
    return Filters(campaign=args.campaign, unit=args.unit, channel=args.channel)


def _narrow(q: Any, args: argparse.Namespace, rt: Runtime) -> Any:
    """The operator's filters on a delivery query, the same WHERE the report and the API use."""
    from worker.overview import narrowed

    return narrowed(q, _filters(args, rt), tuple(args.state or ()), _period(args))


def _local(when: Any) -> str:
    return when.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if when else ""


def queue_depth() -> dict[str, int]:
    """Messages waiting in each channel's queue (Redis), or in the in-process broker."""
    from dramatiq.brokers.stub import StubBroker

    from worker.broker import QUEUES, broker

    if isinstance(broker, StubBroker):
        return {q: broker.queues[q].qsize() for q in QUEUES.values()}
    return {q: int(broker.do_qsize(q)) for q in QUEUES.values()}  # type: ignore[attr-defined]


def status(args: argparse.Namespace) -> int:
    from worker.overview import beats, failures, sources_in_error

    rt = _runtime(args)
    with rt.sessions() as s:
        q = _narrow(
            select(
                Delivery.campaign, Delivery.unit, Delivery.channel, Delivery.state, func.count()
            ),
            args,
            rt,
        )
        rows = s.execute(
            q.group_by(Delivery.campaign, Delivery.unit, Delivery.channel, Delivery.state)
        ).all()
        alive = beats(s, dt.datetime.now(dt.UTC))
        broken = sources_in_error(s)
        recent = failures(s, rt.config, _filters(args, rt), limit=10)
    counts: dict[str, int] = defaultdict(int)
    for *_, state, n in rows:
        counts[state] += n
    depth = queue_depth()
    if args.json:
        print(
            json.dumps(
                {
                    "counts": {st: counts[st] for st in STATES if counts.get(st)},
                    "queues": depth,
                    "heartbeats": [
                        {
                            "name": b.name,
                            "role": b.role,
                            "seen_at": b.seen_at.isoformat(),
                            "age_seconds": round(b.age.total_seconds(), 1),
                            "stale": b.stale,
                        }
                        for b in alive
                    ],
                    "sources_in_error": [
                        {"id": x.id, "error": x.last_error, "failures": x.failures} for x in broken
                    ],
                    "recent_failures": [r.as_json() for r in recent],
                    "breakdown": [
                        {"campaign": c, "unit": u, "channel": ch, "state": st, "count": n}
                        for c, u, ch, st, n in rows
                    ],
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
        return 0
    _print_status(rows, counts, depth, alive, broken, recent)
    return 0


def _print_status(
    rows: Any, counts: dict[str, int], depth: dict[str, int], alive: Any, broken: Any, recent: Any
) -> None:
    print(paint("Processes", "bold"))
    for b in alive or []:
        age = f"{b.age.total_seconds():.0f} s ago"
        print(f"  {b.role:<10} {b.name}  seen {paint(age, 'red' if b.stale else 'green')}")
    if not alive:
        print("  none has reported (is `loa run` or a worker running?)")
    print(paint("Queues", "bold"), " ".join(f"{q}={n}" for q, n in depth.items()))
    print(
        paint("Deliveries", "bold"),
        ", ".join(f"{st} {paint(str(counts[st]), st)}" for st in STATES if counts.get(st))
        or "none",
    )
    by_campaign: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c, _u, ch, st, n in rows:
        by_campaign[(c, ch)][st] += n
    shown = [st for st in STATES if counts.get(st)]
    if by_campaign:
        table = [["campaign", "channel", *shown]]
        table += [
            [c, ch, *(str(v[st]) for st in shown)] for (c, ch), v in sorted(by_campaign.items())
        ]
        table.append(["total", "", *(str(counts[st]) for st in shown)])
        print(as_table(table))
    if broken:
        print(paint("Sources in error", "bold"))
        for x in broken:
            print(f"  {x.id}: {paint(x.last_error or x.note or '', 'red')} ({x.failures} failures)")
    if recent:
        print(paint("Recent failures", "bold"))
        for r in recent:
            why = r.reason or r.last_error or ""
            print(f"  #{r.id} {r.campaign} {r.unit} {r.channel} {paint(r.state, r.state)}: {why}")


def jobs(args: argparse.Namespace) -> int:
    rt = _runtime(args)
    with rt.sessions() as s:
        q = _narrow(
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
    if args.json:
        print(
            json.dumps(
                [_delivery_json(d, title) for d, title in rows], ensure_ascii=False, indent=2
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
            d.state,
            str(d.attempts),
            _local(d.due_at),
            title[:50],
        ]
        for d, title in rows
    ]
    print(as_table(table, totals=False) if rows else "no deliveries match")
    return 0


def _delivery_json(d: Delivery, title: str) -> dict[str, Any]:
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
    for f in ("due_at", "updated_at", "published_at", "created_at"):
        value = getattr(d, f)
        data[f] = value.astimezone(TZ).isoformat() if value else None
    data["title"] = title
    return data


def show(args: argparse.Namespace) -> int:
    from worker.cli import BadInput

    rt = _runtime(args)
    with rt.sessions() as s:
        d = s.get(Delivery, args.id)
        if d is None:
            raise BadInput(f"no delivery {args.id}")
        item = s.get(ContentItem, d.item_id)
        tries = list(
            s.scalars(
                select(Attempt)
                .where(Attempt.delivery_id == d.id)
                .order_by(Attempt.number, Attempt.id)
            )
        )
        acts = list(s.scalars(select(Action).where(Action.delivery_id == d.id).order_by(Action.id)))
    data = _delivery_json(d, item.title if item else "")
    data["progress"] = d.progress
    data["attempts_log"] = [
        {
            "number": a.number,
            "started_at": _local(a.started_at),
            "outcome": a.outcome,
            "http_status": a.http_status,
            "error": a.error,
            "remote_id": a.remote_id,
            "worker": a.worker,
        }
        for a in tries
    ]
    data["actions"] = [
        {"at": _local(a.at), "user": a.user, "action": a.action, "detail": a.detail} for a in acts
    ]
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for key in (
        "id",
        "title",
        "campaign",
        "unit",
        "target",
        "state",
        "reason",
        "last_error",
        "attempts",
        "due_at",
        "published_at",
        "remote_id",
        "remote_url",
        "recipients",
        "segments",
    ):
        if data.get(key) not in (None, ""):
            print(f"{key:>13}: {data[key]}")
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


def act(args: argparse.Namespace) -> int:
    from worker import operator
    from worker.cli import BadInput

    rt = _runtime(args)
    filters = _filters(args, rt)
    if not args.ids and filters == Filters():
        raise BadInput(f"{args.command}: give delivery ids or at least one filter")
    now = rt.now()
    with rt.sessions.begin() as s:
        if args.command == "retry":
            outcome = operator.retry(s, args.ids, filters, now)
        elif args.command == "cancel":
            outcome = operator.cancel(s, args.ids, filters, now, args.note)
        else:
            outcome = operator.approve(s, args.ids, filters, now)
    return _report_outcome(outcome)


def _report_outcome(outcome: Any) -> int:
    print(f"{outcome.action}: {len(outcome.changed)} delivery(ies) changed")
    for i, state in outcome.skipped:
        print(f"  #{i} left alone ({state})", file=sys.stderr)
    return 0 if outcome.changed or not outcome.skipped else 1


def resolve(args: argparse.Namespace) -> int:
    from worker import operator

    rt = _runtime(args)
    with rt.sessions.begin() as s:
        outcome = operator.resolve(s, args.id, args.published, rt.now(), args.note)
    return _report_outcome(outcome)


def preview(args: argparse.Namespace) -> int:
    from worker.models import AWAITING_APPROVAL
    from worker.preview import describe, previews

    rt = _runtime(args)
    states = tuple(args.state or (AWAITING_APPROVAL,))
    count = 0
    for p in previews(rt, _filters(args, rt), states, args.ids, Path(args.out)):
        count += 1
        print("\n".join(describe(p)))
    print(f"{count} deliveries previewed; files under {args.out}/")
    return 0


def serve(args: argparse.Namespace) -> int:
    from worker.web import serve as run_server

    run_server(_runtime(args), args.host, args.port)
    return 0


def callbacks(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from worker.callbacks import create_callbacks

    run_simple(args.host, args.port, create_callbacks(_runtime(args)), threaded=True)
    return 0


def db(args: argparse.Namespace) -> int:
    from worker.db import make_engine
    from worker.migrate import current, head, upgrade

    engine = make_engine()
    if args.action == "upgrade":
        upgrade(engine)
    now = current(engine)
    print(f"{now or 'empty'} (head {head()})" + ("" if now == head() else ": run `loa db upgrade`"))
    return 0
