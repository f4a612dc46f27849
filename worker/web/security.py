"""What every response of loa's web servers carries, and what they no longer tell a visitor.

Security headers on the status page, the JSON API and the delivery-report endpoint; a
`Server` header without Werkzeug's and Python's versions; paths shown relative to the config
and outbox folders, so a page never maps the server's file system.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response

CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _secure(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def secure(app: Flask) -> Flask:
    """Send the security headers on every response of `app`, errors included."""
    app.after_request(_secure)
    return app


def relative_paths(text: object, config_root: str | Path, outbox: str | Path) -> str:
    """`text` with the config and outbox folders' absolute paths (and file:// URLs) shortened."""
    out = "" if text is None else str(text)
    config, box = Path(config_root).resolve(), Path(outbox).resolve()
    for folder, name in ((box, "outbox"), (config, config.name)):
        for prefix in (f"file://{folder}", str(folder)):
            out = out.replace(prefix, name)
    return out
