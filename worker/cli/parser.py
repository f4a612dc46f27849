"""The `loa` command line: every subcommand and its options."""

from __future__ import annotations

import argparse
import os

from campaigns.i18n import LANGS
from campaigns.model import CHANNEL_KINDS
from worker.cli.authoring import add_authoring
from worker.reports.sections import SECTION_ALIASES, SECTIONS
from worker.store.states import STATES

ROLES = ("viewer", "operator", "approver", "admin")  # worker.store.accounts.ROLES, kept light

NOTE = "why: recorded with the action, kept as the row's reason, shown by `loa show`"


def _filters() -> argparse.ArgumentParser:
    f = argparse.ArgumentParser(add_help=False)
    g = f.add_argument_group("filters")
    g.add_argument("--campaign", help="campaign id")
    g.add_argument("--unit", help="unit code")
    g.add_argument("--channel", choices=CHANNEL_KINDS)
    g.add_argument(
        "--state", choices=STATES, action="append", help="delivery state (repeat for several)"
    )
    g.add_argument("--period", help="only deliveries due in this period (as in `loa report`)")
    return f


def filter_options() -> list[str]:
    """The name of every option in the filter group: each narrows every command that takes it."""
    return [a.dest for a in _filters()._actions]


def _ids(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="*", type=int, metavar="ID", help="delivery ids (else: filters)")


def _run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _plan(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = sub.add_parser("plan", help="plan deliveries now (what changed since the last tick)")
    plan.add_argument(
        "--full",
        action="store_true",
        help="re-plan every campaign from all its items (restores rows a tick would not look at)",
    )
    plan.add_argument("--now", help="plan as of this time (ISO, Asia/Ho_Chi_Minh if no zone)")


def _operators(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], filters: argparse.ArgumentParser
) -> None:
    status = sub.add_parser("status", parents=[filters], help="the state of everything at a glance")
    status.add_argument("--json", action="store_true")
    jobs = sub.add_parser("jobs", parents=[filters], help="list deliveries, newest change first")
    jobs.add_argument("--limit", type=int, default=50)
    jobs.add_argument("--json", action="store_true")
    show = sub.add_parser("show", help="one delivery with every attempt and action")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.add_argument(
        "--numbers", action="store_true", help="an SMS delivery's numbers in each recipient state"
    )
    for name, text in (
        ("retry", "retry failed, uncertain or skipped deliveries"),
        ("cancel", "cancel deliveries not yet sent"),
        ("approve", "release deliveries awaiting approval"),
    ):
        action = sub.add_parser(name, parents=[filters], help=text)
        _ids(action)
        action.add_argument("--note", help=NOTE)
        sure = action.add_mutually_exclusive_group()
        sure.add_argument(
            "--yes", "-y", action="store_true", help="change more than one row without asking"
        )
        sure.add_argument(
            "--dry-run", action="store_true", help="list the rows it would change; change nothing"
        )
    resolve = sub.add_parser("resolve", help="settle an uncertain delivery after checking by hand")
    resolve.add_argument("id", type=int)
    how = resolve.add_mutually_exclusive_group(required=True)
    how.add_argument("--published", action="store_true")
    how.add_argument("--failed", action="store_true")
    resolve.add_argument("--note", help=NOTE)
    preview = sub.add_parser(
        "preview",
        parents=[filters],
        help="show what deliveries would publish (default: awaiting approval)",
    )
    _ids(preview)
    preview.add_argument("--out", help="write slides, posts and SMS texts under this folder")


def _report(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="the per-unit report for a period")
    report.add_argument("--period", required=True, help="2024-Q1, 2024-H1, 2024-Q3, 2024, or A..B")
    report.add_argument(
        "--format",
        choices=("table", "csv", "xlsx", "docx"),
        default="table",
        help="docx: the báo cáo to sign (NĐ 30/2020 layout); xlsx: a workbook ready to print",
    )
    report.add_argument("--campaign")
    report.add_argument("--unit", help="one unit's own report (default: the consolidated one)")
    report.add_argument("--channel", choices=CHANNEL_KINDS)
    report.add_argument(
        "--output", "-o", help="file to write (default bao-cao-<period>[-<unit>].xlsx or .docx)"
    )
    report.add_argument(
        "--each-unit",
        metavar="DIR",
        help="with --format docx or xlsx: one file per unit in DIR (bao-cao-<period>-<unit>)",
    )
    report.add_argument(
        "--section",
        choices=(*SECTIONS, *SECTION_ALIASES),
        default="summary",
        help="with --format csv: summary, channels, topics, sms or quotas (old name: targets)",
    )
    report.add_argument(
        "--bom",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="with --format csv: start with a byte-order mark, on stdout too, so Excel reads"
        " UTF-8 (default: on; --no-bom for tools that do not expect one)",
    )
    report.add_argument(
        "--delimiter",
        default=",",
        choices=(",", ";", "tab"),
        help="with --format csv: the field separator (';' where Excel's list separator is ';')",
    )


def _servers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="the operators' console (read-only without accounts)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8088)
    callbacks = sub.add_parser("callbacks", help="the delivery-report endpoint for SMS gateways")
    callbacks.add_argument("--host", default="127.0.0.1")
    callbacks.add_argument("--port", type=int, default=8089)
    callbacks.add_argument(
        "--threads", type=int, default=16, help="reports handled at once (waitress threads)"
    )
    users = sub.add_parser("users", help="the console's accounts (password read from stdin)")
    users.add_argument("action", choices=("add", "passwd", "role", "disable", "list"))
    users.add_argument("name", nargs="?", help="account name (lower-case, digits, . _ -)")
    users.add_argument(
        "--role",
        choices=ROLES,
        help="viewer reads; operator retries, cancels, resolves; approver also approves;"
        " admin also manages accounts (default for add: viewer)",
    )
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=("upgrade", "current"))


GLOBAL_OPTIONS = ("config", "db", "lang", "verbose")
"""Options every command takes, before or after its name (`loa --config D check` is
`loa check --config D`)."""


def _globals(p: argparse.ArgumentParser, *, top: bool) -> None:
    """The global options on the top parser (with their defaults) or on a subcommand (no
    default there, so an option given before the subcommand is not overwritten)."""

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    g = p.add_argument_group("global options")
    g.add_argument(
        "--config",
        default=default(os.environ.get("LOA_CONFIG", "config")),
        help="config directory (default ./config, or $LOA_CONFIG)",
    )
    g.add_argument(
        "--db",
        metavar="URL",
        default=default(None),
        help="database URL (default $DATABASE_URL, else sqlite:///loa.db)",
    )
    g.add_argument(
        "--lang",
        choices=LANGS,
        default=default(None),
        help="language of messages and reports: vi or en (default $LOA_LANG,"
        " else lang: in loa.yaml, else vi)",
    )
    g.add_argument(
        "-v", "--verbose", action="store_true", default=default(False), help="log every delivery"
    )


def _check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = sub.add_parser("check", help="validate the config, content, lists and targets")
    check.add_argument(
        "--online",
        action="store_true",
        help="also make one harmless signed-in request to each target (credentials, reach)",
    )
    check.add_argument("--unit", help="with --online: only this unit's targets")
    check.add_argument("--channel", choices=CHANNEL_KINDS, help="with --online: only this kind")
    check.add_argument("--target", help="with --online: only this target (unit/name)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="loa", description="Content scheduling and publishing.")
    _globals(p, top=True)
    sub = p.add_subparsers(dest="command", required=True)
    _check(sub)
    _run(sub)
    _plan(sub)
    _operators(sub, _filters())
    _report(sub)
    _servers(sub)
    add_authoring(sub)  # loa new campaign|article, loa schema
    for command in sub.choices.values():
        _globals_within(command)
    return p


def _globals_within(command: argparse.ArgumentParser) -> None:
    """The global options on a subcommand and on the commands under it (`loa new campaign`)."""
    if "--config" not in command._option_string_actions:
        _globals(command, top=False)
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for nested in action.choices.values():
                _globals_within(nested)
