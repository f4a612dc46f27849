"""`loa check`: the config, the content it reads, the recipient lists and every target's
settings, without the database or the broker; `--online` also asks each target's service."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from campaigns.audit import Findings, audit
from campaigns.i18n import Msg, msg, t
from campaigns.model import Config
from campaigns.problems import Problem
from channels.errors import ConfigurationError
from channels.recipients import RecipientsError, list_of
from channels.registry import make_transport
from worker.cli.exits import EXIT_BAD_INPUT, EXIT_OK
from worker.engine.checks import load_checked_config


def check(args: argparse.Namespace) -> int:
    config = load_checked_config(args.config)
    found = audit(config)
    _transports(config, found)
    _recipients(config, found)
    for note in found.notes:
        print(t("check.note", text=str(note)))
    if found.problems:
        print(t("check.problems", count=len(found.problems)), file=sys.stderr)
        for problem in found.problems:
            print(f"  - {problem}", file=sys.stderr)  # as config problems are
        return EXIT_BAD_INPUT
    kinds = Counter(tg.kind for tg in config.targets.values())
    print(
        t(
            "check.ok",
            units=len(config.units),
            targets=len(config.targets),
            kinds=", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
            campaigns=len(config.campaigns),
            items=found.items,
        )
    )
    if getattr(args, "online", False):
        from worker.cli.online import check_online  # noqa: PLC0415 (start-up: only online)

        return check_online(config, args)
    return EXIT_OK


def _transports(config: Config, found: Findings) -> None:
    for target in config.targets.values():
        try:
            make_transport(target)
        except ConfigurationError as e:
            where = f"targets ({target.id})"
            found.add(Problem(_rel(config, Path(config.root) / "targets.yaml"), where, _why(e)))


def _why(e: Exception) -> Msg:
    return msg("check.transport", detail=str(e))


def _rel(config: Config, path: Path | str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(config.root).parent))
    except ValueError:
        return str(path)


REASONS = {
    "empty": "sms.reason.empty",
    "not a Vietnamese number": "sms.reason.foreign",
    "not a phone number": "sms.reason.not_phone",
    "wrong length": "sms.reason.length",
    "not a mobile prefix": "sms.reason.prefix",
}


def _recipients(config: Config, found: Findings) -> None:
    """An SMS target's list: how many numbers, each invalid one by file and row (a note: the
    valid numbers still get the message), duplicates and opt-outs; an unreadable list fails."""
    shown: set[str] = set()  # a list several targets share: its rows are named once
    for target in config.targets.values():
        if target.kind != "sms":
            continue
        try:
            listed = list_of(target)
        except RecipientsError as e:
            found.add(Problem("targets.yaml", f"{target.id}.options.recipients", str(e)))
            continue
        if listed is None:
            continue
        print(t("check.numbers", target=target.id, count=len(listed.numbers)))
        file = _rel(config, str(target.options["recipients"]))
        if file in shown:
            continue
        shown.add(file)
        for row, raw, reason in listed.rejected:
            why = msg(REASONS[reason]) if reason in REASONS else reason
            print("  " + t("check.bad_number", file=file, row=row, value=repr(raw), why=why))
        if listed.duplicates:
            print("  " + t("check.duplicates", count=listed.duplicates))
        if listed.opted_out:
            print("  " + t("check.opted_out", count=listed.opted_out))
