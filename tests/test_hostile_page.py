"""The page and the endpoints send security headers, hide hosts and show paths relative."""

from __future__ import annotations

import datetime as dt
import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from tests.seed import NOW, seed_runtime
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.store.models import Delivery, Heartbeat, SourceState
from worker.web.callbacks import create_callbacks
from worker.web.page import create_app, make_app_server

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Runtime]:
    rt = seed_runtime(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    yield rt
    rt.close()


def _assert_secure(headers: dict[str, str]) -> None:
    for name, value in HEADERS.items():
        assert headers.get(name) == value, name
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "Werkzeug" not in headers.get("Server", "") and "Python" not in headers.get("Server", "")


@pytest.mark.parametrize("path", ["/", "/failures", "/api/status", "/api/nothing", "/nothing"])
def test_the_page_and_the_api_send_security_headers(seeded: Runtime, path: str) -> None:
    got = create_app(seeded, wall_clock=lambda: NOW).test_client().get(path)
    _assert_secure(dict(got.headers))


def test_the_delivery_report_endpoint_sends_security_headers(seeded: Runtime) -> None:
    got = create_callbacks(seeded).test_client().get("/dlr/kannel")
    _assert_secure(dict(got.headers))


def test_the_server_does_not_name_werkzeug_or_python(seeded: Runtime) -> None:
    server = make_app_server(seeded, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        conn.request("GET", "/api/status")
        response = conn.getresponse()
        response.read()
        _assert_secure(dict(response.getheaders()))
        conn.close()
    finally:
        server.shutdown()
        server.server_close()


def test_hosts_and_pids_are_hidden_unless_configured(seeded: Runtime) -> None:
    page = create_app(seeded, wall_clock=lambda: NOW).test_client().get("/").get_data(True)
    with seeded.sessions() as s:
        names = list(s.scalars(select(Heartbeat.name)))
    assert names and not any(name.split("@", 1)[-1] in page for name in names)
    root = Path(seeded.config.root)
    (root / "loa.yaml").write_text(yaml.safe_dump({"show_hosts": True}), "utf-8")
    shown = build_runtime(root, str(seeded.engine.url), clock=fixed_clock(NOW))
    try:
        page = create_app(shown, wall_clock=lambda: NOW).test_client().get("/").get_data(True)
        assert any(name.split("@", 1)[-1] in page for name in names)
    finally:
        shown.close()


def test_paths_are_shown_relative_to_the_config_and_outbox_folders(seeded: Runtime) -> None:
    root = Path(seeded.config.root)
    with seeded.sessions.begin() as s:
        d = s.scalars(select(Delivery).where(Delivery.state == "failed")).first()
        assert d is not None
        d.last_error = f"RecipientsError: recipient file {root}/recipients/x.csv does not exist"
        d.remote_url = f"file://{seeded.outbox.resolve()}/so-noi-vu/website/1.html"
        s.add(
            SourceState(
                id="dvc.broken",
                kind="files",
                failures=1,
                items=0,
                last_error=f"{root}/content/news is not a folder",
                last_polled=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
            )
        )
    client = create_app(seeded, wall_clock=lambda: NOW).test_client()
    for path in ("/", "/failures"):
        page = client.get(path).get_data(as_text=True)
        assert str(root) not in page and str(seeded.outbox.resolve()) not in page
    assert "recipients/x.csv" in client.get("/failures").get_data(as_text=True)
