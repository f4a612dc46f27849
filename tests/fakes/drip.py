"""A feed host on a bad day, below HTTP: it drips, hangs after its headers or never answers.

A tiny threaded socket server on 127.0.0.1 (no http.server, which would buffer and time out):
the path's start picks the behaviour (`/hang/2` hangs too).
- `/drip`: headers at once, then the body one byte a second;
- `/drip-headers`: the status line and headers one byte a second;
- `/hang`: headers at once (a Content-Length it never sends), then nothing;
- `/silent`: reads the request, never sends a byte;
- anything else: `healthy` (an RSS document) at once.
Every connection ends when the server stops (sockets are shut), so no test waits on it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n"
    b"Content-Length: %d\r\n\r\n"
)


class DripServer:
    def __init__(self, healthy: bytes = b"", drip_every: float = 1.0) -> None:
        self.healthy = healthy
        self.drip_every = drip_every
        self.stopping = threading.Event()
        self.seen: list[str] = []
        self.served: list[float] = []  # time.monotonic() of each healthy answer
        self.lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._clients: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def waiting(self, path: str) -> bool:
        """Whether a client asked for `path` (so it is now being dripped or hung on)."""
        with self.lock:
            return path in self.seen

    @contextmanager
    def running(self) -> Iterator[DripServer]:
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        try:
            yield self
        finally:
            self.stopping.set()
            self._listener.close()
            with self.lock:
                clients = list(self._clients)
            for c in clients:
                with suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)
                c.close()
            accept.join(timeout=2)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self.lock:
                self._clients.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            path = self._path(client)
            with self.lock:
                self.seen.append(path)
            self._answer(client, path)
            client.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the client gave up: that is the point
        finally:
            client.close()

    def _path(self, client: socket.socket) -> str:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            got = client.recv(4096)
            if not got:
                break
            data += got
        first = data.split(b"\r\n", 1)[0].split(b" ")
        return first[1].decode() if len(first) > 1 else ""

    def _answer(self, client: socket.socket, path: str) -> None:
        if path.startswith("/drip-headers"):
            self._drip(client, HEADERS % 10 + b"0123456789")
        elif path.startswith("/drip"):
            body = self.healthy or b"<rss>" + b" " * 10_000
            client.sendall(HEADERS % len(body))
            self._drip(client, body)
        elif path.startswith("/hang"):
            client.sendall(HEADERS % 10_000)
            self.stopping.wait()
        elif path.startswith("/silent"):
            self.stopping.wait()
        else:
            client.sendall(HEADERS % len(self.healthy) + self.healthy)
            with self.lock:
                self.served.append(time.monotonic())

    def _drip(self, client: socket.socket, data: bytes) -> None:
        for i in range(len(data)):
            if self.stopping.wait(self.drip_every):
                return
            client.sendall(data[i : i + 1])
