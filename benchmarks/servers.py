"""A minimal, fast HTTP/1.1 server on asyncio for the benchmarks (loopback only).

`python -m benchmarks.servers MODE --port-file PATH [--delay SECONDS]`

- `webhook`: POST answers 200 `{"id": "<n>"}`; GET <path>/<reference> answers 200 when a POST
  with that Idempotency-Key arrived (even if its answer never went out), else 404, so loa's
  lease reconciliation can look a post up as a real portal would.
- `smsbox`: POST answers 202 `0: Accepted for delivery`, like Kannel's smsbox `sendsms`.
- GET /_stats answers the counters as JSON.

It parses just enough HTTP for keep-alive clients such as requests: a request line, headers,
and a body of Content-Length bytes. `--delay` holds every POST answer that long (in flight).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
from pathlib import Path
from typing import Any

ACCEPTED = b"0: Accepted for delivery"


class Stats:
    def __init__(self) -> None:
        self.requests = 0
        self.posts = 0
        self.recipients = 0
        self.lookups = 0
        self.found = 0
        self.keys: dict[str, int] = {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "posts": self.posts,
            "recipients": self.recipients,
            "lookups": self.lookups,
            "found": self.found,
            "distinct_keys": len(self.keys),
        }


def response(status: int, reason: str, body: bytes, content_type: str) -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("latin-1") + body


def parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, path, headers


class Handler:
    """What each mode answers."""

    def __init__(self, mode: str, stats: Stats) -> None:
        self.mode, self.stats = mode, stats

    def answer(self, method: str, path: str, headers: dict[str, str]) -> bytes:
        self.stats.requests += 1
        if path == "/_stats":
            return response(
                200, "OK", json.dumps(self.stats.as_dict()).encode(), "application/json"
            )
        if method == "POST":
            return self.post(headers)
        if method == "GET":
            return self.lookup(path)
        return response(405, "Method Not Allowed", b"{}", "application/json")

    def post(self, headers: dict[str, str]) -> bytes:
        stats = self.stats
        stats.posts += 1
        if self.mode == "smsbox":
            stats.recipients += len(headers.get("x-kannel-to", "").split())
            return response(202, "Accepted", ACCEPTED, "text/html")
        key = headers.get("idempotency-key", str(stats.posts))
        stats.keys.setdefault(key, stats.posts)
        body = json.dumps({"id": f"post-{stats.keys[key]}"}).encode()
        return response(200, "OK", body, "application/json")

    def lookup(self, path: str) -> bytes:
        self.stats.lookups += 1
        key = path.rsplit("/", 1)[-1]
        if key in self.stats.keys:
            self.stats.found += 1
            body = json.dumps({"id": f"post-{self.stats.keys[key]}"}).encode()
            return response(200, "OK", body, "application/json")
        return response(404, "Not Found", b'{"error": "not found"}', "application/json")


class Connection(asyncio.Protocol):
    def __init__(self, handler: Handler, delay: float) -> None:
        self.handler, self.delay = handler, delay
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (request := self._next()) is not None:
            method, path, headers = request
            reply = self.handler.answer(method, path, headers)
            if self.delay and method == "POST":
                asyncio.get_running_loop().call_later(self.delay, self._write, reply)
            else:
                self._write(reply)

    def _next(self) -> tuple[str, str, dict[str, str]] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        method, path, headers = parse_head(bytes(self.buffer[:end]))
        total = end + 4 + int(headers.get("content-length") or 0)
        if len(self.buffer) < total:
            return None
        del self.buffer[:total]
        return method, path, headers

    def _write(self, reply: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(reply)


async def serve(mode: str, delay: float, port_file: Path) -> None:
    loop = asyncio.get_running_loop()
    handler = Handler(mode, Stats())
    server = await loop.create_server(
        lambda: Connection(handler, delay), "127.0.0.1", 0, backlog=1024
    )
    port = server.sockets[0].getsockname()[1]
    port_file.write_text(str(port))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("webhook", "smsbox"))
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.mode, args.delay, args.port_file))


if __name__ == "__main__":
    main()
