"""`loa check --online`: each selected target's service asked once, a verdict per target."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import requests

from campaigns.i18n import msg, t
from campaigns.model import Config, Target
from channels.errors import ConfigurationError
from channels.probe import Verdict, probe
from channels.registry import make_transport
from worker.cli.exits import EXIT_BAD_INPUT, EXIT_OK, BadInput


def selected(config: Config, args: argparse.Namespace) -> list[Target]:
    """The targets `--unit`, `--channel` and `--target` pick (all of them by default)."""
    unit, kind, tid = (getattr(args, k, None) for k in ("unit", "channel", "target"))
    if unit and unit not in config.units:
        raise BadInput(t("online.no_unit", unit=unit))
    if tid and tid not in config.targets:
        raise BadInput(t("online.no_target", target=tid))
    return [
        tg
        for tg in config.targets.values()
        if (not unit or tg.unit == unit)
        and (not kind or tg.kind == kind)
        and (not tid or tg.id == tid)
    ]


def check_online(config: Config, args: argparse.Namespace) -> int:
    targets = selected(config, args)
    outbox = Path(os.environ.get("LOA_OUTBOX") or str(config.settings.get("outbox", "outbox")))
    failing = 0
    with requests.Session() as session:
        session.headers["User-Agent"] = "loa check --online"
        for target in targets:
            verdict = _verdict(target, session, outbox)
            failing += not verdict.ok
            line = "online.ok" if verdict.ok else "online.fail"
            print(t(line, target=target.id, transport=target.transport, text=verdict.message))
    print(t("online.summary", count=len(targets), ok=len(targets) - failing, failing=failing))
    return EXIT_BAD_INPUT if failing else EXIT_OK


def _verdict(target: Target, session: requests.Session, outbox: Path) -> Verdict:
    try:
        transport = make_transport(target, session=session, outbox=outbox)
    except ConfigurationError as e:
        return Verdict(False, msg("check.transport", detail=str(e)))
    return probe(transport)
