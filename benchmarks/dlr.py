"""Scenario dlr: a burst of valid delivery reports against `loa callbacks` under waitress.

10,000 signed Kannel reports (1,000 --quick) from 200 client threads at once against the
endpoint with 16 waitress threads and a pool of 18 connections, on SQLite: every report must
be answered 200 and stored (figures: reports lost, reports a second).

`seed` makes one SMS delivery that was sent to `count` numbers; `fire` sends each number's
signed Kannel report from `clients` threads at once and returns the HTTP status codes seen.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import requests
from sqlalchemy import func, select
from waitress.server import create_server

from benchmarks.results import Context, Figure
from channels.dlr import sign
from tests.factories import create_delivery, create_item, write_config
from worker.cli.servers import callback_server
from worker.engine.runtime import Runtime, build_runtime
from worker.store.models import SmsReport
from worker.store.secrets import dlr_key
from worker.web.callbacks import create_callbacks

THREADS, CLIENTS = 16, 200
KANNEL_TARGET: dict[str, Any] = {
    "unit": "bien-hoa",
    "kind": "sms",
    "transport": "kannel",
    "endpoint": "http://127.0.0.1:13013/cgi-bin/sendsms",
    "credentials": {"username": "LOA_BURST_USER", "password": "LOA_BURST_PASSWORD"},
    "options": {"allow_http": True},
}


def numbers(count: int) -> list[str]:
    return [f"84912{i:06d}" for i in range(count)]


def seed(rt: Runtime, target: str, count: int) -> int:
    """One published SMS delivery for `target`, sent to `count` numbers; returns its id."""
    with rt.sessions.begin() as s:
        item = create_item(s, title="Tin SMS")
        unit = rt.config.targets[target].unit
        d = create_delivery(
            s,
            item,
            unit=unit,
            target=target,
            channel="sms",
            progress={"sent": numbers(count)},
            recipients=count,
        )
        return d.id


@contextmanager
def serving(rt: Runtime, threads: int) -> Iterator[str]:
    """`loa callbacks`'s app under waitress on a free loopback port; yields its base URL."""
    server = create_server(create_callbacks(rt), **callback_server("127.0.0.1", 0, threads))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        server.close()
        thread.join(timeout=5)


def fire(rt: Runtime, base: str, delivery_id: int, count: int, clients: int) -> dict[int, int]:
    """Each number's report (status 1, delivered) from `clients` threads; {HTTP status: count}."""
    with rt.sessions.begin() as s:
        sig = sign(dlr_key(s), delivery_id)
    local = threading.local()

    def one(number: str) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        url = f"{base}/dlr/kannel?delivery={delivery_id}&to={number}&status=1&sig={sig}"
        try:
            return session.get(url, timeout=60).status_code
        except requests.RequestException:
            return 0

    with ThreadPoolExecutor(clients) as pool:
        codes = list(pool.map(one, numbers(count)))
    return dict(collections.Counter(codes))


def scenario(ctx: Context) -> list[Figure]:
    count = ctx.size(10_000, 1_000)
    lost: list[float] = []
    rates: list[float] = []
    for run in range(ctx.runs if not ctx.quick else 1):
        folder = ctx.scratch / f"dlr-{run}-{time.monotonic_ns()}"
        root = write_config(folder / "config", targets=[KANNEL_TARGET])
        rt = build_runtime(root, f"sqlite:///{folder / 'loa.db'}", pool_size=THREADS + 2)
        delivery = seed(rt, "bien-hoa/sms", count)
        with serving(rt, THREADS) as base:
            started = time.perf_counter()
            codes = fire(rt, base, delivery, count, CLIENTS)
            seconds = time.perf_counter() - started
        with rt.sessions() as s:
            stored = s.scalar(
                select(func.count())
                .select_from(SmsReport)
                .where(SmsReport.delivery_id == delivery, SmsReport.state == "delivered")
            )
        lost.append(float(count - min(int(stored or 0), codes.get(200, 0))))
        rates.append(count / seconds)
        rt.engine.dispose()
    return [
        Figure("dlr.lost", "dlr", f"reports lost of {count:,}", "reports", lost, False),
        Figure("dlr.rate", "dlr", "reports stored a second", "reports/s", rates),
    ]
