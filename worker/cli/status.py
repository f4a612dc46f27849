"""`loa status`: processes, queues, counts per campaign and channel, recent failures."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections import defaultdict
from typing import Any

from dramatiq.brokers.stub import StubBroker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.i18n import t
from campaigns.model import TZ
from worker.cli.args import (
    filters_from,
    local_time,
    narrow,
    period_from,
    runtime_from,
    states_from,
)
from worker.cli.terminal import paint
from worker.engine.broker import QUEUES, broker
from worker.engine.runtime import Runtime
from worker.reports.tables import as_table
from worker.store.models import FAILED, STATES, UNCERTAIN, Delivery, SourceState
from worker.store.reads import Row, beats, deliveries, late, sources_in_error


def queue_depth() -> dict[str, int]:
    """Messages waiting in each channel's queue (Redis), or in the in-process broker."""
    if isinstance(broker, StubBroker):
        return {q: broker.queues[q].qsize() for q in QUEUES.values()}
    return {q: int(broker.do_qsize(q)) for q in QUEUES.values()}  # type: ignore[attr-defined]


def _source_json(x: SourceState) -> dict[str, object]:
    """A source in error; one read from its local copy (offline) has a note and no error."""
    return {"id": x.id, "error": x.last_error or x.note, "note": x.note, "failures": x.failures}


def status(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    with rt.sessions() as s:
        q = narrow(
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
        overdue = _late(s, args, rt)
        broken = sources_in_error(s)
        recent = _recent_failures(s, args, rt)
    counts: dict[str, int] = defaultdict(int)
    for *_, state, n in rows:
        counts[state] += n
    depth = queue_depth()
    if args.json:
        print(
            json.dumps(
                {
                    "counts": {st: counts[st] for st in STATES if counts.get(st)},
                    **_late_json(*overdue),
                    "queues": depth,
                    "heartbeats": [
                        {
                            "name": b.name,
                            "role": b.role,
                            "seen_at": b.seen_at.isoformat(),
                            "age_seconds": round(b.age.total_seconds(), 1),
                            "stale": b.stale,
                            "healthy": b.healthy,
                            "error": b.error,
                            "failed_at": b.failed_at.isoformat() if b.failed_at else None,
                        }
                        for b in alive
                    ],
                    "sources_in_error": [_source_json(x) for x in broken],
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
    _print_late(*overdue)
    return 0


def _late(s: Session, args: argparse.Namespace, rt: Runtime) -> tuple[int, dt.datetime | None]:
    """How many rows (narrowed by every filter) are late, and the oldest due time among them."""
    q = narrow(select(func.count(), func.min(Delivery.due_at)), args, rt).where(late(rt.now()))
    count, oldest = s.execute(q).one()
    return int(count), oldest


def _late_json(count: int, oldest: dt.datetime | None) -> dict[str, Any]:
    return {"late": count, "oldest_late_due": oldest.astimezone(TZ).isoformat() if oldest else None}


def _recent_failures(s: Session, args: argparse.Namespace, rt: Runtime) -> list[Row]:
    """The last failed or uncertain rows, narrowed by every filter (a `--state` among them)."""
    asked = states_from(args)
    shown = tuple(st for st in (FAILED, UNCERTAIN) if not asked or st in asked)
    if not shown:
        return []
    filters, period = filters_from(args, rt), period_from(args)
    return deliveries(s, rt.config, filters, states=shown, period=period, limit=10)


def _print_late(count: int, oldest: dt.datetime | None) -> None:
    if count:
        print(
            paint(t("status.late_head"), "bold"),
            t("status.late", count=count, oldest=local_time(oldest)),
        )


def _print_status(
    rows: Any, counts: dict[str, int], depth: dict[str, int], alive: Any, broken: Any, recent: Any
) -> None:
    print(paint(t("status.processes"), "bold"))
    for b in alive or []:
        age = f"{b.age.total_seconds():.0f} s ago"
        print(f"  {b.role:<10} {b.name}  seen {paint(age, 'red' if b.stale else 'green')}")
        if b.error:
            print(f"    {paint('tick failed', 'red')}: {b.error}")
    if not alive:
        print("  " + t("status.no_process"))
    print(paint(t("status.queues"), "bold"), " ".join(f"{q}={n}" for q, n in depth.items()))
    print(
        paint(t("status.deliveries"), "bold"),
        ", ".join(f"{st} {paint(str(counts[st]), st)}" for st in STATES if counts.get(st))
        or t("status.none"),
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
        print(paint(t("status.sources"), "bold"))
        for x in broken:
            print(f"  {x.id}: {paint(x.last_error or x.note or '', 'red')} ({x.failures} failures)")
    if recent:
        print(paint(t("status.failures"), "bold"))
        for r in recent:
            why = r.reason or r.last_error or ""
            print(f"  #{r.id} {r.campaign} {r.unit} {r.channel} {paint(r.state, r.state)}: {why}")
