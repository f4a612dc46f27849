"""A runtime gives each thread its own HTTP session and transports, and closes them after."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests

from campaigns.model import Target
from channels.base import Transport
from tests.factories import write_config
from worker.engine.runtime import Runtime, build_runtime

PORTAL = Target("so-noi-vu/website", "so-noi-vu", "website", "webhook", "https://portal.example")


@pytest.fixture
def rt(tmp_path: Path, sqlite_url: str) -> Runtime:
    return build_runtime(write_config(tmp_path / "config"), sqlite_url, outbox=tmp_path / "o")


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[requests.Session]:
    """Every session closed during the test, in order."""
    found: list[requests.Session] = []
    original = requests.Session.close

    def close(self: requests.Session) -> None:
        found.append(self)
        original(self)

    monkeypatch.setattr(requests.Session, "close", close)
    return found


def in_threads(rt: Runtime, count: int) -> list[tuple[requests.Session, Transport]]:
    """(session, transport) as seen by `count` threads running at the same time; each asks twice."""
    together = threading.Barrier(count)
    seen: list[tuple[requests.Session, Transport]] = []

    def work() -> None:
        together.wait()
        session, transport = rt.http, rt.transport(PORTAL)
        assert rt.http is session and rt.transport(PORTAL) is transport  # reused in a thread
        seen.append((session, transport))
        together.wait()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == count
    return seen


def test_two_threads_get_different_sessions_and_each_reuses_its_own(rt: Runtime) -> None:
    (first, a), (second, b) = in_threads(rt, 2)
    assert first is not second
    assert a is not b
    assert a.session is first and b.session is second


def test_the_main_thread_keeps_one_session_for_feeds_and_transports(rt: Runtime) -> None:
    session = rt.http
    assert rt.http is session
    assert rt.transport(PORTAL).session is session
    assert rt.transport(PORTAL) is rt.transport(PORTAL)


def test_sessions_of_finished_threads_are_closed_and_close_ends_the_rest(
    rt: Runtime, closed: list[requests.Session]
) -> None:
    ended = [session for session, _ in in_threads(rt, 2)]
    assert closed == []
    mine = rt.http  # opening one closes those of threads that have ended
    assert sorted(map(id, closed)) == sorted(map(id, ended))
    rt.close()
    assert closed[-1] is mine
    assert rt.http is not mine  # a thread carrying on after close() opens a new one
