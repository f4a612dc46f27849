"""What every command makes of its arguments: bad input, times, periods, filters, the runtime.

Kept apart from the entry point so that no command module imports `worker.cli.main` back.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from campaigns.i18n import t
from campaigns.model import TZ
from campaigns.periods import Period, parse_period
from worker.cli import exits
from worker.engine.runtime import Runtime, build_runtime, fixed_clock, system_clock
from worker.store.filters import Filters
from worker.store.reads import narrowed

# Defined in worker.cli.exits (light: the entry point catches it); commands import it from here.
BadInput = exits.BadInput


def parse_now(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as e:
        raise BadInput(t("args.now", value=text)) from e
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value


def period_from(args: argparse.Namespace) -> Period | None:
    """The `--period` the user gave, or None; a bad one is BadInput."""
    try:
        return parse_period(args.period) if getattr(args, "period", None) else None
    except ValueError as e:
        raise BadInput(str(e)) from e


def filters_from(args: argparse.Namespace, rt: Runtime) -> Filters:
    if args.campaign and args.campaign not in rt.config.campaigns:
        raise BadInput(t("args.no_campaign", campaign=args.campaign))
    if args.unit and args.unit not in rt.config.units:
        raise BadInput(t("online.no_unit", unit=args.unit))
    return Filters(campaign=args.campaign, unit=args.unit, channel=args.channel)


def states_from(args: argparse.Namespace) -> tuple[str, ...]:
    """The `--state` values the user gave (repeatable), or () for every state."""
    return tuple(args.state or ())


def narrow(q: Any, args: argparse.Namespace, rt: Runtime) -> Any:
    """The operator's filters on a delivery query, the same WHERE the report and the API use.

    Every option of the filter group (parser.py) is applied here; the actions and `preview`
    apply the same ones through `worker.actions.select_ids`, which uses the same `narrowed`.
    """
    return narrowed(q, filters_from(args, rt), states_from(args), period_from(args))


def local_time(when: dt.datetime | None) -> str:
    return when.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if when else ""


def runtime_from(args: argparse.Namespace, pool_size: int | None = None) -> Runtime:
    """The runtime for the config the user named, on a frozen clock when `--now` was given."""
    now = parse_now(getattr(args, "now", None))
    clock = fixed_clock(now) if now else system_clock
    return build_runtime(args.config, clock=clock, pool_size=pool_size)
