"""What each `loa` subcommand does; worker.cli only parses and maps errors to exit codes."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import func, select

from campaigns.i18n import t
from worker.cli.args import runtime_from
from worker.cli.exits import EXIT_OK, EXIT_SOURCES
from worker.cli.terminal import LiveCounts
from worker.engine.embedded import run_forever, run_once
from worker.engine.runtime import Runtime
from worker.store.models import STATES, Delivery


def run(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    if args.once:
        with LiveCounts(lambda: _counts(rt)):
            results = run_once(
                rt,
                threads=args.threads,
                with_workers=not args.scheduler_only,
                timeout=args.timeout,
            )
        planned = sum(r.planned for r in results)
        sent = sum(r.enqueued + r.requeued for r in results)
        errors = [i for r in results for i in r.ingested if i.error]
        for i in errors:
            print(t("run.source_error", source=i.source, error=i.error), file=sys.stderr)
        print(t("run.summary", planned=planned, sent=sent))
        print(_counts_line(rt))
        if errors:
            print(t("run.sources_failed", count=len(errors)), file=sys.stderr)
            return EXIT_SOURCES
        return EXIT_OK
    run_forever(
        rt, threads=args.threads, interval=args.interval, with_workers=not args.scheduler_only
    )
    return 0


def _counts(rt: Runtime) -> dict[str, int]:
    with rt.sessions() as s:
        rows = s.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all()
    found = {state: int(n) for state, n in rows}
    return {state: found[state] for state in STATES if state in found}


def _counts_line(rt: Runtime) -> str:
    counts = _counts(rt)
    return t(
        "run.counts", counts=", ".join(f"{st} {counts[st]}" for st in STATES if counts.get(st))
    )
