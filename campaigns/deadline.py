"""A wall-clock deadline on one HTTP exchange that no server can stretch.

Socket timeouts bound each read, not the exchange: a server that sends one byte a second
(in its headers or its body) never trips them. A `Deadline` watches the connections its
exchange opens or reuses (through `WatchedAdapter`, mounted on the session) and shuts their
sockets when the time is up or when `stop` is set (the worker shutting down); the blocked
read then fails at once, and the caller asks `fired` why.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_local = threading.local()
TICK = 0.1  # how often a watch looks at `stop`


class Deadline:
    """`with Deadline(seconds, stop) as d:` shuts the exchange's sockets after `seconds`."""

    def __init__(self, seconds: float, stop: threading.Event | None = None) -> None:
        self.seconds = seconds
        self.stop = stop
        self.at = time.monotonic() + seconds
        self.fired: str | None = None  # "deadline" or "stopped" once it has cut the exchange
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="loa-deadline", daemon=True)

    def left(self) -> float:
        return max(self.at - time.monotonic(), 0.0)

    def __enter__(self) -> Deadline:
        _local.deadline = self
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        _local.deadline = None
        self._done.set()
        self._thread.join()

    def attach(self, sock: socket.socket | None) -> None:
        """Watch this socket (kept even after http.client lets go of it on Connection: close)."""
        if sock is None:
            return  # still connecting: the connect timeout (below the deadline) bounds that
        with self._lock:
            if sock not in self._socks:
                self._socks.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def _watch(self) -> None:
        while True:
            if self.stop is not None and self.stop.is_set():
                self._fire("stopped")
                return
            left = self.at - time.monotonic()
            if left <= 0:
                self._fire("deadline")
                return
            if self._done.wait(min(left, TICK) if self.stop is not None else left):
                return

    def _fire(self, why: str) -> None:
        with self._lock:
            self.fired = why
            socks = list(self._socks)
        for sock in socks:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the base method: TLS sockets too


def _current() -> Deadline | None:
    found: Deadline | None = getattr(_local, "deadline", None)
    return found


class _WatchedMixin:
    """Reports its socket once connected (new connections) or when sending (reused ones)."""

    sock: socket.socket | None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        watch = _current()
        if watch is not None:
            watch.attach(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = _current()
        if watch is not None:
            watch.attach(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTP(_WatchedMixin, HTTPConnection):
    pass


class _HTTPS(_WatchedMixin, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTP


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPS


class WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections report to the thread's current `Deadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def watch_session(session: requests.Session, url: str) -> None:
    """Mount `WatchedAdapter` on a session that uses requests' plain adapter for `url`."""
    try:
        adapter = session.get_adapter(url)
    except requests.exceptions.InvalidSchema:
        return  # the request itself reports it
    if type(adapter) is HTTPAdapter:
        for prefix in ("http://", "https://"):
            session.mount(prefix, WatchedAdapter())
