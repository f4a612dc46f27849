"""kill -9 of a real `loa run` mid-campaign on a real Kannel, then the operator's recovery.

Real processes as an operator runs them: `loa callbacks` (the report endpoint, waitress) and
`loa run --once` (embedded, SQLite) sending 495 numbers in batches of 50 through smsbox. A
pass-through gate in front of smsbox lets four batches through and forwards the fifth but holds
its answer back, so the worker is surely inside batch five, that batch surely reached Kannel,
and the kill lands there. Then, from the command line: `loa show`, `loa run --once` (which finds
the row its dead predecessor left), `loa retry`, `loa run --once` again. Counted from the fake
SMSC's log: every valid, not-opted-out number got the message exactly once, and the report's
parts are what the SMSC received.
"""

from __future__ import annotations

import collections
import csv as csv_module
import datetime as dt
import http.server
import io
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.kannel_gateway import (
    MO_FROM,
    PASSWORD,
    USERNAME,
    KannelGateway,
    free_ports,
    running_kannel,
    wait_until,
)
from tests.services import port_open
from worker.store.models import Delivery, SmsReport

pytestmark = pytest.mark.kannel

BIN = Path(sys.executable).parent
NOW = dt.datetime.now(TZ).replace(microsecond=0)
PERIOD = f"{NOW.date() - dt.timedelta(days=30)}..{NOW.date() + dt.timedelta(days=30)}"
VALID = [f"0913{i:06d}" for i in range(500)]
OPTED_OUT = VALID[-5:]
WANTED = {"84" + n[1:] for n in VALID[:-5]}
PASSED = 4
"""Batches the gate answers before it holds one."""


class Gate:
    """A pass-through HTTP proxy in front of smsbox: answers the first `passed` requests, then
    forwards the next one to smsbox but keeps its answer until `open()`; all later ones pass."""

    def __init__(self, upstream: str, passed: int) -> None:
        self.upstream, self.passed = upstream, passed
        self.seen = 0
        self.held = threading.Event()  # smsbox has answered the held request
        self.opened = threading.Event()
        self.lock = threading.Lock()
        gate = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                gate.forward(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/sendsms"

    def forward(self, request: http.server.BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.seen += 1
            number = self.seen
        body = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-kannel")}
        headers["Content-Type"] = request.headers.get("Content-Type", "text/plain")
        answer = requests.post(self.upstream, data=body, headers=headers, timeout=10)
        if number == self.passed + 1:
            self.held.set()
            self.opened.wait(60)
        try:
            request.send_response(answer.status_code)
            request.send_header("Content-Length", str(len(answer.content)))
            request.end_headers()
            request.wfile.write(answer.content)
        except OSError:  # the worker was killed while its answer was held: nobody to tell
            pass

    def open(self) -> None:
        self.opened.set()


@contextmanager
def gate_to(upstream: str, passed: int) -> Iterator[Gate]:
    gate = Gate(upstream, passed)
    thread = threading.Thread(target=gate.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gate
    finally:
        gate.open()
        gate.server.shutdown()
        gate.server.server_close()


@pytest.fixture(scope="module")
def kannel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KannelGateway]:
    with running_kannel(Path(tmp_path_factory.mktemp("kannel-crash"))) as gateway:
        yield gateway


def sms_config(tmp_path: Path, endpoint: str, dlr_base: str) -> Path:
    target = {
        "unit": "bien-hoa",
        "kind": "sms",
        "transport": "kannel",
        "endpoint": endpoint,
        "credentials": {"username": "LOA_TEST_KANNEL_USER", "password": "LOA_TEST_KANNEL_PASSWORD"},
        "options": {
            "recipients": "recipients/subs.csv",
            "optout": "recipients/optout.txt",
            "max_batch": 50,
            "timeout": [2.0, 60.0],  # the held batch must not time out before the kill
            "dlr_url": dlr_base + "/dlr/kannel",
            "allow_http": True,
        },
    }
    start, end = PERIOD.split("..")
    quiet = NOW + dt.timedelta(hours=12)  # SMS quiet hours far from the test: it runs now
    settings = {
        "channels": {"sms": {"quiet_hours": {"start": f"{quiet:%H}:00", "end": f"{quiet:%H}:30"}}}
    }
    root = write_config(
        tmp_path / "config",
        targets=[target],
        campaigns=[campaign(channels=["sms"], period={"start": start, "end": end})],
        articles=1,
        published=[NOW - dt.timedelta(hours=1)],
        settings=settings,
    )
    (root / "recipients" / "optout.txt").write_text("\n".join(OPTED_OUT) + "\n", "utf-8")
    lines = ["phone", *VALID, "12345", "not a number", VALID[0], VALID[1]]
    (root / "recipients" / "subs.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return root


class Operator:
    """Runs `loa` commands as an operator would, on one config and one SQLite database."""

    def __init__(self, root: Path, tmp_path: Path) -> None:
        self.db = tmp_path / "loa.db"
        self.env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        self.env |= {
            "DATABASE_URL": f"sqlite:///{self.db}",
            "LOA_CONFIG": str(root),
            "LOA_OUTBOX": str(tmp_path / "outbox"),
            "LOA_TEST_KANNEL_USER": USERNAME,
            "LOA_TEST_KANNEL_PASSWORD": PASSWORD,
        }
        self.logs = tmp_path

    def start(self, name: str, *argv: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:
            return subprocess.Popen(
                [str(BIN / "loa"), *argv],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def __call__(self, *argv: str) -> str:
        done = subprocess.run(
            [str(BIN / "loa"), *argv], env=self.env, capture_output=True, timeout=300, check=False
        )
        out = done.stdout.decode()
        assert done.returncode == 0, f"loa {' '.join(argv)}: {done.stderr.decode()[-3000:]}"
        return out

    def run_once(self) -> None:
        self("run", "--once", "--threads", "2", "--timeout", "240")

    def show(self, delivery_id: int) -> dict[str, Any]:
        shown: dict[str, Any] = json.loads(self("show", str(delivery_id), "--json", "--numbers"))
        return shown

    def sms_report(self) -> tuple[int, int]:
        """(recipients, parts sent) of the unit in `loa report`'s SMS section."""
        csv = self("report", "--period", PERIOD, "--format", "csv", "--section", "sms", "--no-bom")
        rows = {row[0]: row for row in csv_module.reader(io.StringIO(csv))}
        header, unit = rows["Đơn vị"], rows["UBND Thành phố Biên Hòa"]
        assert header[2:5] == ["Số người nhận", "Số phân đoạn", "Số SMS gửi đi"]
        return int(unit[2]), int(unit[4])

    def row(self) -> Delivery:
        engine = create_engine(f"sqlite:///{self.db}")
        try:
            with Session(engine, expire_on_commit=False) as s:
                [row] = s.scalars(select(Delivery))
                return row
        finally:
            engine.dispose()

    def reports(self, numbers: set[str]) -> int:
        engine = create_engine(f"sqlite:///{self.db}")
        try:
            with engine.connect() as c:
                query = select(func.count()).where(SmsReport.recipient.in_(sorted(numbers)))
                return int(c.scalar(query.select_from(SmsReport)) or 0)
        finally:
            engine.dispose()


def smsc_parts(kannel: KannelGateway, since: int) -> collections.Counter[tuple[str, int]]:
    """How often each (receiver, part number) reached the fake SMSC since message `since`."""
    got = [r for r in kannel.received()[since:] if r.receiver != MO_FROM]
    return collections.Counter((r.receiver, r.part[0]) for r in got)


def numbers_at_smsc(kannel: KannelGateway, since: int) -> set[str]:
    return {n for n, _ in smsc_parts(kannel, since)}


@contextmanager
def callbacks(op: Operator, port: int) -> Iterator[None]:
    """`loa callbacks` on `port`, as the operator runs it, stopped afterwards."""
    proc = op.start("callbacks", "callbacks", "--port", str(port), "--threads", "4")
    try:
        wait_until(lambda: port_open("127.0.0.1", port) or proc.poll() is not None, 30, "callbacks")
        assert proc.poll() is None, (op.logs / "callbacks.log").read_text()
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_kill_9_of_the_worker_mid_campaign_then_loa_retry_reaches_each_number_once(
    tmp_path: Path, kannel: KannelGateway
) -> None:
    since = len(kannel.received())
    with gate_to(kannel.sendsms_url, PASSED) as gate:
        [port] = free_ports(1)
        op = Operator(sms_config(tmp_path, gate.url, f"http://127.0.0.1:{port}"), tmp_path)
        op("db", "upgrade")
        with callbacks(op, port):
            worker = op.start("run-1", "run", "--once", "--threads", "2")
            try:
                assert gate.held.wait(120), "the worker never reached its fifth batch"
                in_flight = 5 * 50
                wait_until(
                    lambda: len(numbers_at_smsc(kannel, since)) >= in_flight, 30, "5 batches"
                )
            finally:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
            at_kill = numbers_at_smsc(kannel, since)
            assert worker.returncode == -signal.SIGKILL
            assert len(at_kill) == in_flight < len(WANTED)  # the kill landed mid-campaign
            dead = op.row()
            assert dead.state == "sending" and len(dead.progress["sent"]) == PASSED * 50
            held = set(dead.progress["posting"])
            assert len(held) == 50 and held <= at_kill  # killed inside the held batch
            gate.open()

            # The held batch reached Kannel; its delivery reports reach `loa callbacks`.
            wait_until(lambda: op.reports(held) == len(held), 60, "reports for the held batch")
            shown = op.show(dead.id)  # what the operator sees of the dead run
            assert shown["state"] == "sending"
            numbers = shown["sms"]["numbers"]
            assert set(numbers["never sent"]) == WANTED - at_kill
            assert set(numbers["delivered"]) | set(numbers["accepted"]) == at_kill
            assert not numbers["unsure"] and not numbers["failed"]
            listed = shown["sms"]["list"]
            assert [(p["row"], p["value"]) for p in listed["invalid"]] == [
                (502, "12345"),
                (503, "not a number"),
            ]
            assert (listed["duplicates"], listed["opted_out"]) == (2, 5)

            op.run_once()  # the next run finds the row its killed predecessor left
            found = op.row()
            assert found.state == "uncertain"
            # What the gateway accepted before the crash is counted, not 0; the held batch
            # counts once its reports settle it (the next attempt).
            assert op.sms_report() == (PASSED * 50, PASSED * 50 * found.segments)
            status = op("status")
            assert "uncertain" in status, status

            out = op("retry", str(dead.id), "--yes")
            assert "retry: 1 delivery(ies) changed" in out, out
            op.run_once()
        done = op.row()
    assert done.state == "published", done.reason
    assert set(done.progress["sent"]) == WANTED and done.recipients == len(WANTED)
    got = smsc_parts(kannel, since)
    assert {n for n, _ in got} == WANTED  # no invalid, duplicate or opted-out number
    assert {p for _, p in got} == set(range(1, done.segments + 1))
    twice = [key for key, count in got.items() if count > 1]
    assert not twice, f"{len(twice)} parts sent twice, e.g. {twice[:3]}"
    recipients, parts = op.sms_report()
    assert recipients == len(WANTED)
    assert parts == sum(got.values()) == len(WANTED) * done.segments  # the SMSC's parts
    counts = op.show(done.id)["sms"]["counts"]
    assert counts["never sent"] == counts["unsure"] == counts["failed"] == 0
    assert counts["delivered"] + counts["accepted"] == len(WANTED)
