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
from worker.migrate import SchemaError
from worker.parser import build_parser

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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return _dispatch(args)
    except ConfigError as e:
        print(e, file=sys.stderr)
        return EXIT_BAD_INPUT
    except (SchemaError, BadInput) as e:
        print(f"loa: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT if isinstance(e, BadInput) else EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except BrokenPipeError:  # `loa jobs | head`: the reader left; that is not a failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as e:
        logging.getLogger("loa").debug("failure", exc_info=True)
        print(f"loa: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAILURE


def _dispatch(args: argparse.Namespace) -> int:
    from worker import commands, opcommands, reporting

    handler = {
        "check": commands.check,
        "run": commands.run,
        "report": reporting.report,
        "status": opcommands.status,
        "jobs": opcommands.jobs,
        "show": opcommands.show,
        "retry": opcommands.act,
        "cancel": opcommands.act,
        "approve": opcommands.act,
        "resolve": opcommands.resolve,
        "preview": opcommands.preview,
        "serve": opcommands.serve,
        "callbacks": opcommands.callbacks,
        "db": opcommands.db,
    }[args.command]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
