"""`loa users add|passwd|role|disable|list`: the console's accounts.

A password is read from the terminal (asked twice, not echoed) or, without a terminal, from the
first line of standard input; never from the command line, where `ps` and shell history see it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

from sqlalchemy.orm import Session

from worker.actions import who
from worker.cli.args import BadInput, runtime_from
from worker.cli.exits import EXIT_OK
from worker.store import accounts
from worker.store.accounts import AccountError


def read_password(name: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != first:
            raise BadInput("users: the two passwords differ; nothing changed")
        return first
    line = sys.stdin.readline()
    if not line:
        raise BadInput("users: no password on standard input; nothing changed")
    return line.rstrip("\r\n")


def users(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    try:
        with rt.sessions.begin() as s:
            if args.action == "list":
                for a in accounts.listing(s):
                    state = "disabled" if a.disabled else "enabled"
                    print(f"{a.name}\t{a.role}\t{state}")
                return EXIT_OK
            if not args.name:
                raise BadInput(f"users {args.action}: give the account name")
            _change(s, args, rt.now())
    except AccountError as e:
        raise BadInput(f"users {args.action}: {e}") from e
    print(f"users {args.action}: {args.name} done")
    return EXIT_OK


def _change(s: Session, args: argparse.Namespace, now: dt.datetime) -> None:
    """Change the account, and record who did it (the OS user) in the audit trail."""
    detail = args.name
    if args.action == "add":
        accounts.check_name(args.name)
        role = args.role or "viewer"
        accounts.add(s, args.name, role, read_password(args.name), now)
        detail = f"{args.name} ({role})"
    elif args.action == "passwd":
        accounts.passwd(s, args.name, read_password(args.name), now)
    elif args.action == "role":
        if not args.role:
            raise BadInput("users role: give --role")
        accounts.set_role(s, args.name, args.role, now)
        detail = f"{args.name} ({args.role})"
    else:
        accounts.disable(s, args.name, now)
    accounts.record(s, who(), args.action, detail, now)
