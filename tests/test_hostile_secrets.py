"""A credential value never reaches the database, `loa show`, the page, the API or the logs."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from campaigns.config import load_config
from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.fakes.echo import EchoPortal
from tests.stepping import Clock, step
from worker.cli.main import main
from worker.engine.redact import install_log_filter, redact_values, secret_values
from worker.engine.runtime import Runtime, build_runtime
from worker.store.models import Attempt, Delivery
from worker.web.page import create_app

TOKEN = "tok-9f8e7d6c5b4a-SECRET"
DB_PASSWORD = "pg-Pa55word-xyz"


@pytest.fixture
def portal() -> Iterator[EchoPortal]:
    server = EchoPortal()
    with server.running():
        yield server


def _runtime(tmp_path: Path, endpoint: str) -> Runtime:
    root = write_config(
        tmp_path / "config",
        articles=1,
        targets=[
            {
                "unit": "so-noi-vu",
                "kind": "website",
                "transport": "webhook",
                "endpoint": endpoint + "/hooks/loa?access_token=qs-token-123456",
                "credentials": {"token": "LOA_TEST_HOOK_TOKEN"},
                "options": {"allow_http": True, "timeout": [0.5, 0.5]},
            }
        ],
        campaigns=[campaign(channels=["website"], units=["so-noi-vu"])],
    )
    clock = Clock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ))
    return build_runtime(
        root, f"sqlite:///{tmp_path / 'loa.db'}", clock=clock, outbox=tmp_path / "outbox"
    )


def test_a_portal_echoing_our_token_leaves_no_trace_of_it(
    tmp_path: Path,
    portal: EchoPortal,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LOA_TEST_HOOK_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'loa.db'}")
    rt = _runtime(tmp_path, portal.url)
    try:
        assert step(rt) == ["failed"]
        assert portal.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
        with rt.sessions() as s:
            d = s.scalars(select(Delivery)).one()
            stored = [d.last_error or "", *(a.error or "" for a in s.scalars(select(Attempt)))]
        assert all("***" in text for text in stored), stored
        client = create_app(rt).test_client()
        shown = [
            client.get("/api/deliveries").get_data(as_text=True),
            client.get("/failures").get_data(as_text=True),
            client.get("/").get_data(as_text=True),
        ]
        assert main(["--config", rt.config.root, "show", str(d.id), "--json"]) == 0
        shown.append(capsys.readouterr().out)
        for text in stored + shown:
            assert TOKEN not in text and "qs-token-123456" not in text
        assert "***" in json.loads(shown[-1])["last_error"]
    finally:
        rt.close()


def test_the_log_filter_redacts_messages_and_tracebacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_TEST_HOOK_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://loa:{DB_PASSWORD}@db/loa")
    root = write_config(
        tmp_path / "config",
        targets=[
            {
                "unit": "so-noi-vu",
                "kind": "website",
                "transport": "webhook",
                "endpoint": "https://portal.example/hooks",
                "credentials": {"token": "LOA_TEST_HOOK_TOKEN"},
            }
        ],
        campaigns=[campaign(channels=["website"])],
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root_logger = logging.getLogger()
    root_logger.addHandler(handler)
    try:
        install_log_filter(load_config(root))
        log = logging.getLogger("loa.test")
        log.warning("answer: %s", {"authorization": f"Bearer {TOKEN}"})
        try:
            raise RuntimeError(f"cannot connect to postgresql://loa:{DB_PASSWORD}@db/loa")
        except RuntimeError:
            log.exception("failed with %s", TOKEN)
    finally:
        root_logger.removeHandler(handler)
        install_log_filter(None)
    written = stream.getvalue()
    assert TOKEN not in written and DB_PASSWORD not in written
    assert written.count("***") >= 3


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("401 Unauthorized: {'authorization': 'Bearer abc.DEF-123456'}", "abc.DEF-123456"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("GET https://graph.example/v1/me?access_token=EAAB1234xyz&fields=id", "EAAB1234xyz"),
        ("redis://:r3d1s-pass@127.0.0.1:6379/0 refused", "r3d1s-pass"),
        ("the portal said: LOA-VALUE-0001 is wrong", "LOA-VALUE-0001"),
    ],
)
def test_credential_shaped_text_is_masked(text: str, hidden: str) -> None:
    out = redact_values(text, ["LOA-VALUE-0001"])
    assert hidden not in out and "***" in out


def test_ordinary_words_are_left_alone() -> None:
    text = "Basic Authentication required; token file /srv/zalo.json is unreadable"
    assert redact_values(text, []) == text


def test_service_url_passwords_are_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://loa:{DB_PASSWORD}@db/loa")
    monkeypatch.setenv("REDIS_URL", "redis://:r3d1s-pass@127.0.0.1:6379/0")
    assert {DB_PASSWORD, "r3d1s-pass"} <= set(secret_values(None))
