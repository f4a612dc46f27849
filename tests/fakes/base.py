"""A local HTTP server that fakes a remote service, with switches to force its documented errors."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class Response:
    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a timeout case)
    drop: bool = False  # close the connection without answering


Handler = Callable[[Request], Response]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout case) is expected here, not worth a traceback."""


class FakeServer:
    """Subclasses set `routes` (method, path prefix, handler); `script` forces the next answers."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.script: list[Response] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def routes(self) -> list[tuple[str, str, Handler]]:
        return []

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def then(self, *responses: Response) -> None:
        """Answer the next requests with these, in order, before the normal behaviour."""
        with self.lock:
            self.script.extend(responses)

    def dispatch(self, request: Request) -> Response:
        with self.lock:
            self.requests.append(request)
            if self.script:
                return self.script.pop(0)
        for method, prefix, handler in self.routes():
            if request.method == method and request.path.startswith(prefix):
                return handler(request)
        return Response(404, {"error": "not found", "path": request.path})

    @contextmanager
    def running(self) -> Iterator[FakeServer]:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = Request(
                    self.command,
                    split.path,
                    parse_qs(split.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                resp = fake.dispatch(req)
                if resp.delay:
                    time.sleep(resp.delay)
                if resp.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                payload: Any = resp.body
                headers = dict(resp.headers)
                if isinstance(payload, dict | list):
                    payload = json.dumps(payload, ensure_ascii=False).encode()
                    headers.setdefault("Content-Type", "application/json; charset=utf-8")
                elif isinstance(payload, str):
                    payload = payload.encode()
                    headers.setdefault("Content-Type", "text/plain; charset=utf-8")
                self.send_response(resp.status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":  # HEAD: the headers GET would send, no body
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = _QuietServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        self._server = server
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
