"""`loa retry|cancel|approve|resolve|preview`: the operator actions from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from worker import actions
from worker.cli.args import BadInput, filters_from, period_from, runtime_from, states_from
from worker.engine.preview import describe, previews
from worker.store.filters import Filters
from worker.store.models import AWAITING_APPROVAL, STATES


def act(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    filters, states, period = filters_from(args, rt), states_from(args), period_from(args)
    if not args.ids and filters == Filters() and not states and period is None:
        raise BadInput(f"{args.command}: give delivery ids or at least one filter")
    now = rt.now()
    act_on = {"retry": actions.retry, "cancel": actions.cancel, "approve": actions.approve}
    with rt.sessions.begin() as s:
        outcome = act_on[args.command](
            s, args.ids, filters, now, args.note, states=states, period=period
        )
    return _report_outcome(outcome)


def _report_outcome(outcome: Any) -> int:
    print(f"{outcome.action}: {len(outcome.changed)} delivery(ies) changed")
    for i, state in outcome.skipped:
        print(f"  #{i} left alone ({state})", file=sys.stderr)
    return 0 if outcome.changed or not outcome.skipped else 1


def resolve(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    with rt.sessions.begin() as s:
        outcome = actions.resolve(s, args.id, args.published, rt.now(), args.note)
    return _report_outcome(outcome)


def preview(args: argparse.Namespace) -> int:
    """Rows chosen like the actions choose them (ids and filters); by default awaiting approval."""
    rt = runtime_from(args)
    asked = states_from(args)
    eligible = asked or (STATES if args.ids else (AWAITING_APPROVAL,))
    with rt.sessions() as s:
        ids, skipped = actions.select_ids(
            s, args.ids, filters_from(args, rt), eligible, states=asked, period=period_from(args)
        )
    for i, why in skipped:
        print(f"  #{i} not previewed ({why})", file=sys.stderr)
    count = 0
    for p in previews(rt, Filters(), (), ids, Path(args.out)) if ids else ():
        count += 1
        print("\n".join(describe(p)))
    print(f"{count} deliveries previewed; files under {args.out}/")
    return 0
