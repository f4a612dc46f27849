"""The `loa` command. Exit codes: 0 ok, 1 runtime failure, 2 bad input."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Sequence

from campaigns.config import ConfigError
from campaigns.model import TZ

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Something the user gave cannot be used; exit 2 with this message."""


def parse_now(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as e:
        raise BadInput(
            f"--now: '{text}' is not an ISO date-time (like 2024-12-31T17:00+07:00)"
        ) from e
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="loa", description=__doc__)
    p.add_argument(
        "--config",
        default=os.environ.get("LOA_CONFIG", "config"),
        help="config directory (default ./config, or $LOA_CONFIG)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log every delivery")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate the config and every target's settings")
    run = sub.add_parser("run", help="run the scheduler and workers (continuous)")
    run.add_argument("--once", action="store_true", help="plan what is due, deliver it, then exit")
    run.add_argument("--now", help="replay as of this time (ISO, Asia/Ho_Chi_Minh if no zone)")
    run.add_argument("--threads", type=int, default=8)
    run.add_argument("--interval", type=float, default=10.0, help="seconds between ticks")
    run.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="with --once: give up (exit 1) if work is still unfinished after this",
    )
    run.add_argument(
        "--scheduler-only",
        action="store_true",
        help="plan and enqueue only; dramatiq worker processes deliver",
    )
    status = sub.add_parser("status", help="counts by campaign, unit, channel and state")
    status.add_argument("--json", action="store_true")
    report = sub.add_parser("report", help="the per-unit report for a period")
    report.add_argument("--period", required=True, help="2024-Q1, 2024-H1, 2024-Q3, 2024, or A..B")
    report.add_argument("--format", choices=("table", "csv"), default="table")
    report.add_argument("--lang", choices=("vi", "en"), default="vi")
    report.add_argument("--campaign")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return _dispatch(args)
    except ConfigError as e:
        print(e, file=sys.stderr)
        return EXIT_BAD_INPUT
    except BadInput as e:
        print(f"loa: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except Exception as e:
        logging.getLogger("loa").debug("failure", exc_info=True)
        print(f"loa: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAILURE


def _dispatch(args: argparse.Namespace) -> int:
    from worker import commands

    handler = {
        "check": commands.check,
        "run": commands.run,
        "status": commands.status,
        "report": commands.report,
    }[args.command]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
