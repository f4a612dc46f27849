"""`loa retry|cancel|approve|resolve|preview`: the operator actions from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from campaigns.i18n import t
from worker import actions
from worker.cli.args import (
    BadInput,
    filters_from,
    period_from,
    runtime_from,
    states_from,
)
from worker.cli.exits import EXIT_FAILURE, EXIT_OK
from worker.engine.preview import describe, previews
from worker.reports.tables import as_table
from worker.store.filters import Filters
from worker.store.models import AWAITING_APPROVAL, STATES

SAMPLE = 5
"""How many of the rows an action would change are shown before asking to confirm."""


def act(args: argparse.Namespace) -> int:
    """Select the rows, show them and ask (or take --yes) when it is more than one, then act.

    Only the rows shown are changed, each only if still in a state the action applies to.
    """
    rt = runtime_from(args)
    filters, states, period = filters_from(args, rt), states_from(args), period_from(args)
    if not args.ids and filters == Filters() and not states and period is None:
        raise BadInput(t("act.no_selection", command=args.command))
    with rt.sessions() as s:
        ok, skipped = actions.select_ids(
            s, args.ids, filters, actions.ELIGIBLE[args.command], states=states, period=period
        )
        shown = actions.pending(s, ok, None if args.dry_run else SAMPLE)
    ask = bool(ok) and not args.yes and (len(ok) > 1 or not args.ids)
    if args.dry_run or ask:
        _show_pending(args.command, ok, shown)
    if args.dry_run:
        print(t("act.dry_run", command=args.command))
        return _report_skipped(skipped, EXIT_OK)
    if ask and not _confirmed(args.command):
        print(t("act.unchanged", command=args.command))
        return EXIT_FAILURE
    outcome = actions.Outcome(args.command, [], [])
    if ok:
        with rt.sessions.begin() as s:
            outcome = actions.BULK[args.command](
                s, ok, filters, rt.now(), args.note, states=states, period=period
            )
    return _report_outcome(outcome, skipped)


def _show_pending(command: str, ids: list[int], shown: list[actions.Pending]) -> None:
    """How many rows the action would change, and those rows (all, or the first few)."""
    print(t("act.would_change", command=command, count=len(ids)) + (":" if ids else "."))
    if shown:
        table = [["id", "campaign", "unit", "channel", "state", "title"]]
        table += [[str(p.id), p.campaign, p.unit, p.channel, p.state, p.title[:50]] for p in shown]
        print(as_table(table, totals=False))
    if len(ids) > len(shown):
        print(t("act.more", count=len(ids) - len(shown)))


def _confirmed(command: str) -> bool:
    """Ask on the terminal; with no terminal there is nobody to ask: refuse (exit 2)."""
    if not sys.stdin.isatty():
        raise BadInput(t("act.no_terminal", command=command))
    print(t("act.confirm", command=command), end=" ", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes", "c", "co", "có")


def _report_skipped(skipped: Sequence[tuple[int, str]], code: int) -> int:
    for i, state in skipped:
        print("  " + t("act.left_alone", id=i, state=state), file=sys.stderr)
    return code


def _report_outcome(outcome: actions.Outcome, skipped: Sequence[tuple[int, str]] = ()) -> int:
    print(t("act.changed", command=outcome.action, count=len(outcome.changed)))
    left = [*skipped, *outcome.skipped]
    return _report_skipped(left, EXIT_OK if outcome.changed or not left else EXIT_FAILURE)


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
        print("  " + t("act.not_previewed", id=i, why=why), file=sys.stderr)
    count = 0
    out = Path(args.out) if args.out else None
    for p in previews(rt, Filters(), (), ids, out) if ids else ():
        count += 1
        print("\n".join(describe(p)))
    print(
        t("act.previewed", count=count)
        + (t("act.preview_files", folder=f"{args.out}/") if out else "")
    )
    return 0
