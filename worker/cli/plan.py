"""`loa plan`: plan deliveries now, without delivering; `--full` re-plans every campaign."""

from __future__ import annotations

import argparse

from campaigns.i18n import t
from worker.cli.args import runtime_from
from worker.engine.planner import plan as plan_deliveries


def plan(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    with rt.sessions.begin() as s:
        planned = plan_deliveries(s, rt.config, rt.now(), full=args.full)
    how = "every campaign in full" if args.full else "what changed since the last planning"
    print(t("plan.planned", count=planned, how=how))
    return 0
