"""`loa check`: the config and every target's transport, without the database or the broker."""

from __future__ import annotations

import argparse
from collections import Counter

from campaigns.model import Target
from channels.errors import ConfigurationError
from channels.recipients import RecipientsError, list_of
from channels.recipients import problems as list_problems
from channels.registry import make_transport
from worker.cli.exits import BadInput
from worker.engine.checks import load_checked_config


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
    print(f"target {target.id}: {len(listed.numbers)} number(s) to send to")
    for line in list_problems(listed):
        print(f"  {line}")
