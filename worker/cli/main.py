"""The `loa` command. Exit codes: 0 ok, 1 runtime failure, 2 bad input.

Start-up: each command's module is imported inside its handler below, not at the top, so that
`loa --help` and `loa check` do not import SQLAlchemy, alembic, Pillow, openpyxl, python-docx,
matplotlib, flask or the dramatiq brokers they do not use (`loa --help` went from ~1.1 s to
~0.1 s; docs/performance.md). Everything caught here comes from light modules for the same
reason.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from campaigns import i18n
from campaigns.problems import ConfigError
from worker.cli import lang
from worker.cli.exits import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, BadInput
from worker.cli.parser import build_parser
from worker.store.errors import SchemaError


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang.choose(args)
    try:
        return _main(args)
    finally:
        i18n.use(None)  # the choice was this command's: a caller in the same process starts afresh


def _main(args: argparse.Namespace) -> int:
    if args.db:  # `--db URL` stands for DATABASE_URL in every command and the processes it starts
        os.environ["DATABASE_URL"] = args.db
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


# One handler per command. Each imports its command module when called: the in-function
# imports (noqa: PLC0415) keep start-up to the parser, see the module's docstring.


def _check(args: argparse.Namespace) -> int:
    from worker.cli import check  # noqa: PLC0415 (start-up: channels only when checking)

    return check.check(args)


def _run(args: argparse.Namespace) -> int:
    from worker.cli import run  # noqa: PLC0415 (start-up: engine, broker, store only to run)

    return run.run(args)


def _plan(args: argparse.Namespace) -> int:
    from worker.cli import plan  # noqa: PLC0415 (start-up: engine and store only to plan)

    return plan.plan(args)


def _report(args: argparse.Namespace) -> int:
    from worker.cli import report  # noqa: PLC0415 (start-up: openpyxl, docx, matplotlib)

    return report.report(args)


def _status(args: argparse.Namespace) -> int:
    from worker.cli import status  # noqa: PLC0415 (start-up: store and broker only here)

    return status.status(args)


def _jobs(args: argparse.Namespace) -> int:
    from worker.cli import jobs  # noqa: PLC0415 (start-up: store only for this command)

    return jobs.jobs(args)


def _show(args: argparse.Namespace) -> int:
    from worker.cli import jobs  # noqa: PLC0415 (start-up: store only for this command)

    return jobs.show(args)


def _act(args: argparse.Namespace) -> int:
    from worker.cli import act  # noqa: PLC0415 (start-up: actions, store only to act)

    return act.act(args)


def _resolve(args: argparse.Namespace) -> int:
    from worker.cli import act  # noqa: PLC0415 (start-up: actions, store only to act)

    return act.resolve(args)


def _preview(args: argparse.Namespace) -> int:
    from worker.cli import act  # noqa: PLC0415 (start-up: formats, Pillow only to preview)

    return act.preview(args)


def _serve(args: argparse.Namespace) -> int:
    from worker.cli import servers  # noqa: PLC0415 (start-up: flask only to serve)

    return servers.serve(args)


def _callbacks(args: argparse.Namespace) -> int:
    from worker.cli import servers  # noqa: PLC0415 (start-up: werkzeug only to serve)

    return servers.callbacks(args)


def _users(args: argparse.Namespace) -> int:
    from worker.cli import users  # noqa: PLC0415 (start-up: argon2 only for accounts)

    return users.users(args)


def _db(args: argparse.Namespace) -> int:
    from worker.cli import servers  # noqa: PLC0415 (start-up: alembic only for `loa db`)

    return servers.db(args)


def _new(args: argparse.Namespace) -> int:
    from worker.cli import new  # noqa: PLC0415 (start-up: config loading only for `loa new`)

    return new.new(args)


def _schema(args: argparse.Namespace) -> int:
    from worker.cli import new  # noqa: PLC0415 (start-up: pydantic only for `loa schema`)

    return new.write_schemas(args)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _check,
    "run": _run,
    "plan": _plan,
    "report": _report,
    "status": _status,
    "jobs": _jobs,
    "show": _show,
    "retry": _act,
    "cancel": _act,
    "approve": _act,
    "resolve": _resolve,
    "preview": _preview,
    "serve": _serve,
    "callbacks": _callbacks,
    "db": _db,
    "users": _users,
    "new": _new,
    "schema": _schema,
}


def _dispatch(args: argparse.Namespace) -> int:
    return HANDLERS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
