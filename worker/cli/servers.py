"""`loa serve`, `loa callbacks` and `loa db`: the web page, the report endpoint, migrations."""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from worker.cli.args import runtime_from
from worker.store.db import make_engine
from worker.store.migrate import current, head, upgrade
from worker.web.callbacks import create_callbacks
from worker.web.page import serve as run_server
from worker.web.security import QuietHandler


def serve(args: argparse.Namespace) -> int:
    run_server(runtime_from(args), args.host, args.port)
    return 0


def callbacks(args: argparse.Namespace) -> int:
    app = create_callbacks(runtime_from(args))
    run_simple(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    return 0


def db(args: argparse.Namespace) -> int:
    engine = make_engine()
    if args.action == "upgrade":
        upgrade(engine)
    now = current(engine)
    print(f"{now or 'empty'} (head {head()})" + ("" if now == head() else ": run `loa db upgrade`"))
    return 0
