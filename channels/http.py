"""HTTP plumbing the web transports share: target checks, one request, a failed answer's meaning."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from campaigns.model import Target
from campaigns.retry_after import parse_retry_after
from channels.errors import ChannelError, ConfigurationError, PermanentError, TransientError

log = logging.getLogger(__name__)

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def safe_url(url: str) -> str:
    """The URL without user info, query or fragment, so tokens in it never reach a log."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def base_url(target: Target, *, require_https: bool = True) -> str:
    """The target's endpoint without a trailing slash; ConfigurationError when it cannot work."""
    url = (target.endpoint or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"target {target.id}: endpoint must be an http(s) URL, got {safe_url(url)!r}"
        )
    if require_https and parts.scheme != "https" and not flag(target, "allow_http", False):
        raise ConfigurationError(
            f"target {target.id}: endpoint must use https "
            "(set options.allow_http: true only for a local or test site)"
        )
    return url.rstrip("/")


def secret(target: Target, field: str, *, required: bool = True) -> str | None:
    """The value of the environment variable `credentials.<field>` names; checked, never echoed."""
    var = target.credentials.get(field)
    if not var:
        if required:
            raise ConfigurationError(
                f"target {target.id}: credentials.{field} must name an environment variable"
            )
        return None
    if not _ENV_NAME.match(var):
        raise ConfigurationError(
            f"target {target.id}: credentials.{field} must name an environment variable, "
            "not hold the secret itself"
        )
    value = target.secret(field)
    if not value:
        raise ConfigurationError(
            f"target {target.id}: credentials.{field} names ${var}, which is not set"
        )
    return value


def flag(target: Target, name: str, default: bool) -> bool:
    """A yes/no option; ConfigurationError for anything but a bool, so a typo cannot flip it."""
    value = target.options.get(name, default)
    if not isinstance(value, bool):
        raise ConfigurationError(f"target {target.id}: options.{name} must be true or false")
    return value


def option_int(target: Target, name: str, default: int, low: int, high: int) -> int:
    """A whole-number option within bounds; ConfigurationError naming the target and option."""
    value = target.options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigurationError(
            f"target {target.id}: option {name} must be a whole number {low}..{high}, not {value!r}"
        )
    return value


def http_url(target: Target, field: str, value: object) -> str:
    """An http(s) URL without user:password in it; ConfigurationError naming the field."""
    parts = urlsplit(str(value or ""))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"target {target.id}: {field} must be an http(s) URL")
    if parts.username or parts.password:
        raise ConfigurationError(f"target {target.id}: {field} must not hold credentials")
    return str(value)


def send(
    session: requests.Session, method: str, url: str, *, timeout: tuple[float, float], **kw: Any
) -> requests.Response:
    """One request; timeouts and dead connections raise TransientError, a TLS failure Permanent."""
    where = f"{method} {safe_url(url)}"
    try:
        response = session.request(method, url, timeout=timeout, **kw)
    except requests.Timeout as e:
        raise TransientError(f"{where} timed out (limits {timeout[0]}s/{timeout[1]}s)") from e
    except requests.exceptions.SSLError as e:
        raise PermanentError(f"{where}: TLS certificate check failed") from e
    except (
        requests.ConnectionError,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    ) as e:
        raise TransientError(f"{where}: connection failed ({type(e).__name__})") from e
    except requests.RequestException as e:
        raise PermanentError(f"{where}: request failed ({type(e).__name__})") from e
    log.debug("%s answered %s", where, response.status_code)
    return response


def retry_after(response: requests.Response) -> float | None:
    """Seconds the server asks us to wait (delta-seconds or an HTTP-date), None when it does not."""
    return parse_retry_after(response.headers.get("Retry-After"))


def is_transient(status: int) -> bool:
    """Whether an HTTP status is worth retrying: timeouts, rate limits and server faults."""
    return status in (408, 425, 429) or (status >= 500 and status not in (501, 505))


def error_for(response: requests.Response, what: str, detail: str = "") -> ChannelError:
    """The error a non-2xx answer means by its status alone: 408/429/5xx pass, the rest do not."""
    status = response.status_code
    text = f"{what}: HTTP {status}" + (f" {detail}" if detail else "")
    if is_transient(status):
        return TransientError(text, retry_after=retry_after(response), status=status)
    if 300 <= status < 400:
        where = safe_url(response.headers.get("Location", "")) or "?"
        text += f" (redirected to {where}: set the endpoint to the final URL)"
    return PermanentError(text, status=status)


def json_of(response: requests.Response, what: str) -> Any:
    """The decoded JSON body; a garbled one raises TransientError (a proxy page, a cut answer)."""
    try:
        return response.json()
    except ValueError as e:
        raise TransientError(
            f"{what}: malformed JSON in the HTTP {response.status_code} answer",
            status=response.status_code,
        ) from e


def json_or_none(response: requests.Response) -> Any:
    """The decoded JSON body of an error answer, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def snippet(response: requests.Response, limit: int = 200) -> str:
    """The start of a body as one line, for an error message."""
    return " ".join(response.text[:limit].split())
