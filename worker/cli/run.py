"""What each `loa` subcommand does; worker.cli only parses and maps errors to exit codes."""

from __future__ import annotations

import argparse
from collections import Counter

from sqlalchemy import func, select

from campaigns.model import Target
from channels.errors import ConfigurationError
from channels.recipients import RecipientsError, list_of, problems
from channels.registry import make_transport
from worker.cli.args import BadInput, runtime_from
from worker.cli.terminal import LiveCounts
from worker.engine.checks import load_checked_config
from worker.engine.embedded import run_forever, run_once
from worker.engine.runtime import Runtime
from worker.store.models import STATES, Delivery


def check(args: argparse.Namespace) -> int:
    config = load_checked_config(args.config)
    problems = []
    for target in config.targets.values():
        try:
            make_transport(target)
        except ConfigurationError as e:
            problems.append(f"{config.root}/targets.yaml: target {target.id}: {e}")
    if problems:
        raise BadInput(f"{len(problems)} target(s) cannot work:\n" + "\n".join(problems))
    for target in config.targets.values():
        _recipients(target)
    kinds = Counter(t.kind for t in config.targets.values())
    print(
        f"config OK: {len(config.units)} units, {len(config.targets)} targets "
        f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}), "
        f"{len(config.campaigns)} campaigns"
    )
    return 0


def _recipients(target: Target) -> None:
    """Print an SMS target's list: how many numbers, each invalid one, duplicates, opt-outs."""
    if target.kind != "sms":
        return
    try:
        listed = list_of(target)
    except RecipientsError as e:
        raise BadInput(f"target {target.id}: {e}") from e
    if listed is None:
        return
    found = problems(listed)
    print(f"target {target.id}: {len(listed.numbers)} number(s) to send to")
    for line in found:
        print(f"  {line}")


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
            print(f"source {i.source}: {i.error}")
        print(f"planned {planned} new deliveries, sent {sent} to workers")
        print(_counts_line(rt))
        return 0
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
    return "deliveries: " + ", ".join(f"{st} {counts[st]}" for st in STATES if counts.get(st))
