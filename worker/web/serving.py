"""The console under waitress, the production WSGI server `loa callbacks` uses too."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from waitress.server import create_server

THREADS = 8
PROXY_ENV = "LOA_TRUSTED_PROXY"
"""The address of the reverse proxy in front of `loa serve` (for example 127.0.0.1): its
X-Forwarded-For and X-Forwarded-Proto are then believed, so the login throttle sees the
client's address and cookies are marked Secure when the client used https. Unset: no proxy
header is believed (waitress drops them)."""


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
        **proxy_settings(os.environ.get(PROXY_ENV)),
    }


def proxy_settings(proxy: str | None) -> dict[str, Any]:
    if not proxy:
        return {}
    return {
        "trusted_proxy": proxy,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
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
