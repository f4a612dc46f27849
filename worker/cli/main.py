"""The `loa` command. Exit codes: 0 ok, 1 runtime failure, 2 bad input."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from campaigns.config import ConfigError
from worker.cli import act, jobs, report, run, servers, status
from worker.cli.args import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, BadInput
from worker.cli.parser import build_parser
from worker.store.migrate import SchemaError


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


HANDLERS = {
    "check": run.check,
    "run": run.run,
    "report": report.report,
    "status": status.status,
    "jobs": jobs.jobs,
    "show": jobs.show,
    "retry": act.act,
    "cancel": act.act,
    "approve": act.act,
    "resolve": act.resolve,
    "preview": act.preview,
    "serve": servers.serve,
    "callbacks": servers.callbacks,
    "db": servers.db,
}


def _dispatch(args: argparse.Namespace) -> int:
    return HANDLERS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
