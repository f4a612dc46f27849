"""`loa serve`, `loa callbacks` and `loa db`: the web page, the report endpoint, migrations."""

from __future__ import annotations

import argparse
from typing import Any

import waitress

from worker.cli.args import runtime_from
from worker.store.db import make_engine
from worker.store.migrate import current, head, upgrade
from worker.web.callbacks import create_callbacks
from worker.web.page import serve as run_server


def serve(args: argparse.Namespace) -> int:
    run_server(runtime_from(args), args.host, args.port)
    return 0


def callbacks(args: argparse.Namespace) -> int:
    """The report endpoint under waitress: `--threads` requests at once, each with a database
    connection of its own (the pool holds as many), the rest queued by waitress, never refused."""
    threads = int(args.threads)
    app = create_callbacks(runtime_from(args, pool_size=threads + 2))
    waitress.serve(app, **callback_server(args.host, args.port, threads))
    return 0


def callback_server(host: str, port: int, threads: int) -> dict[str, Any]:
    """waitress's settings for the report endpoint (`loa callbacks`, its test and benchmark)."""
    return {
        "host": host,
        "port": port,
        "threads": threads,
        "connection_limit": 1000,
        "backlog": 2048,
        "channel_timeout": 30,
        "ident": "loa",
    }


def db(args: argparse.Namespace) -> int:
    engine = make_engine()
    if args.action == "upgrade":
        upgrade(engine)
    now = current(engine)
    print(f"{now or 'empty'} (head {head()})" + ("" if now == head() else ": run `loa db upgrade`"))
    return 0
