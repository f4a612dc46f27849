"""The console under waitress, the production WSGI server `loa callbacks` uses too."""

from __future__ import annotations

from typing import Any

from flask import Flask
from waitress.server import create_server

THREADS = 8


def server_settings(host: str, port: int, threads: int = THREADS) -> dict[str, Any]:
    """waitress's settings for the console: `ident` names loa only (no server or version)."""
    return {
        "host": host,
        "port": port,
        "threads": threads,
        "connection_limit": 200,
        "channel_timeout": 60,
        "max_request_body_size": 1 << 20,
        "ident": "loa",
        "clear_untrusted_proxy_headers": True,
    }


class Served:
    """A waitress server bound now (port 0 picks a free one: see `server_port`)."""

    def __init__(self, app: Flask, host: str, port: int, threads: int = THREADS) -> None:
        server: Any = create_server(app, **server_settings(host, port, threads))
        self._server = server
        self.server_port: int = int(server.effective_port)

    def serve_forever(self) -> None:
        self._server.run()

    def shutdown(self) -> None:
        self._server.close()

    def server_close(self) -> None:
        self._server.task_dispatcher.shutdown(timeout=5)
