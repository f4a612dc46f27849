"""Poll RSS, Atom and YouTube feeds politely and turn their entries into clean items."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

import requests
from urllib3.exceptions import ReadTimeoutError

from campaigns.deadline import Deadline, watch_session
from campaigns.entries import FeedError, parse, parse_feed
from campaigns.files import ContentError, load_articles, load_videos
from campaigns.model import Item, Source
from campaigns.retry_after import parse_retry_after

__all__ = ["FeedError", "FeedState", "PollResult", "backoff", "content_hash", "parse", "poll"]
DEADLINE = 60.0  # seconds a whole poll (connect, headers, body) may take, whatever the server does

log = logging.getLogger(__name__)

MAX_BACKOFF = 6 * 3600
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")
_TLS = re.compile(r"\[SSL: [A-Z_]+\] ([^(')]+)")
TimeoutSpec = float | tuple[float, float]


def _user_agent() -> str:
    try:
        meta = metadata.metadata("loa")
    except metadata.PackageNotFoundError:
        return "loa (feed poller)"
    urls = [u.split(",", 1)[-1].strip() for u in meta.get_all("Project-URL") or []]
    home = next(iter(urls), None) or next(iter(meta.get_all("Home-page") or []), None)
    where = f"+{home}; " if home else ""
    return f"loa/{meta['Version']} ({where}feed poller)"


USER_AGENT = _user_agent()


@dataclass(frozen=True)
class FeedState:
    """What the lead stores per feed between polls: validators and the failure streak."""

    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_poll: dt.datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class PollResult:
    """One poll's outcome; an error always comes with no items, so nothing half-read is stored."""

    items: tuple[Item, ...]
    state: FeedState
    not_modified: bool
    error: str | None
    note: str | None = None


def poll(
    session: requests.Session,
    source: Source,
    state: FeedState,
    *,
    now: dt.datetime,
    max_bytes: int = 5_000_000,
    timeout: TimeoutSpec = (3.05, 20),
    config_root: Path | None = None,
    deadline: float = DEADLINE,
    stop: threading.Event | None = None,
) -> PollResult:
    """Fetch `source.url` conditionally and parse it; never raises, errors come back as data.

    The whole poll ends within `deadline` seconds however slowly the server drips its headers
    or body, and at once when `stop` is set: its sockets are shut (campaigns.deadline).
    """
    if not source.url:
        return _failure(source, state, now, f"source {source.id} has no url")
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    watch_session(session, source.url)
    timeout = _below(timeout, deadline)
    with Deadline(deadline, stop) as cut:
        try:
            return _fetch(session, source, state, now, headers, max_bytes, timeout, cut)
        except Exception as e:  # never raise: the worker must keep polling the other feeds
            if cut.fired is None:
                return _failed_poll(e, source, state, now, timeout, config_root)
    if cut.fired == "stopped":
        return _failure(source, state, now, "stopped: the worker is shutting down")
    return _failure(source, state, now, f"gave up after {deadline:.1f} s: the server was too slow")


def _below(timeout: TimeoutSpec, deadline: float) -> TimeoutSpec:
    """Socket timeouts no longer than the deadline."""
    if isinstance(timeout, tuple):
        return (min(timeout[0], deadline), min(timeout[1], deadline))
    return min(timeout, deadline)


def _failed_poll(
    e: Exception,
    source: Source,
    state: FeedState,
    now: dt.datetime,
    timeout: TimeoutSpec,
    config_root: Path | None,
) -> PollResult:
    if isinstance(e, requests.ConnectionError):
        error = _unreachable(e, source.url or "", timeout)
        if source.fallback:
            return _fallback(source, state, now, error, config_root)
        return _failure(source, state, now, error)
    return _failure(source, state, now, _explain(e, source, timeout))


def _explain(e: Exception, source: Source, timeout: TimeoutSpec) -> str:
    """The one line an operator reads in `loa status` for an error while polling."""
    if isinstance(e, FeedError):
        return str(e)
    if isinstance(e, requests.Timeout):
        return f"timed out after {_read_timeout(timeout):g} s"
    if isinstance(e, requests.RequestException):
        return f"request failed: {_one_line(str(e))[:200]}"
    log.exception("feed %s: unexpected error", source.id, extra={"source": source.id})
    return f"unexpected {type(e).__name__}: {_one_line(str(e))[:200]}"


def _fetch(
    session: requests.Session,
    source: Source,
    state: FeedState,
    now: dt.datetime,
    headers: dict[str, str],
    max_bytes: int,
    timeout: TimeoutSpec,
    cut: Deadline,
) -> PollResult:
    url = source.url or ""
    with session.get(url, headers=headers, timeout=timeout, stream=True) as resp:
        if resp.status_code == 304 and not _conditional(headers):
            return _failure(
                source, state, now, f"HTTP 304 from {url} to a request without validators"
            )
        if resp.status_code == 304:
            fresh = _success(source, state, now, resp, keep_validators=True)
            return PollResult((), fresh, not_modified=True, error=None)
        if resp.status_code >= 400:
            wait = parse_retry_after(resp.headers.get("Retry-After"), now)
            return _failure(source, state, now, f"HTTP {resp.status_code} from {url}", wait)
        content = _read(resp, max_bytes, cut)
        ctype = resp.headers.get("Content-Type")
        parsed = parse_feed(content, source=source, base_url=resp.url, content_type=ctype)
        items = parsed.items
        note = "; ".join(filter(None, (_moved(resp), *parsed.skipped))) or None
    log.info("polled %s: %s items", source.id, len(items), extra={"source": source.id})
    return PollResult(items, _success(source, state, now, resp), False, None, note)


def _conditional(headers: dict[str, str]) -> bool:
    """Whether the request sent a validator: only then does a 304 mean 'unchanged'."""
    return "If-None-Match" in headers or "If-Modified-Since" in headers


def _read(resp: requests.Response, max_bytes: int, cut: Deadline) -> bytes:
    """The body, refused past `max_bytes` (after decompression) or the poll's deadline."""
    cap = f"body larger than {max_bytes / 1_000_000:g} MB cap"
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FeedError(cap)
    body = bytearray()
    try:
        for chunk in resp.iter_content(64 * 1024):
            body += chunk
            if len(body) > max_bytes:
                raise FeedError(cap)
            if cut.fired:
                raise FeedError(f"body still arriving after {cut.seconds:.1f} s; gave up")
    except requests.ConnectionError as e:  # requests reports a stalled body this way
        if e.args and isinstance(e.args[0], ReadTimeoutError):
            raise requests.ReadTimeout(e) from e
        raise
    return bytes(body)


def _success(
    source: Source,
    state: FeedState,
    now: dt.datetime,
    resp: requests.Response,
    keep_validators: bool = False,
) -> FeedState:
    etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
    if keep_validators:
        etag, modified = etag or state.etag, modified or state.last_modified
    next_poll = now + dt.timedelta(seconds=source.interval)
    return FeedState(etag, modified, failures=0, next_poll=next_poll, last_error=None)


def _failure(
    source: Source, state: FeedState, now: dt.datetime, error: str, wait: float | None = None
) -> PollResult:
    log.warning("feed %s failed: %s", source.id, error, extra={"source": source.id})
    return PollResult((), _failed_state(source, state, now, error, wait), False, error)


def _failed_state(
    source: Source, state: FeedState, now: dt.datetime, error: str, wait: float | None = None
) -> FeedState:
    failures = state.failures + 1
    delay = max(backoff(source, failures), min(wait or 0.0, MAX_BACKOFF))
    next_poll = now + dt.timedelta(seconds=delay)
    return replace(state, failures=failures, next_poll=next_poll, last_error=error)


def backoff(source: Source, failures: int) -> float:
    """Seconds to wait after `failures` failures in a row: doubling from the interval up to 6 h.

    The jitter (up to 20% shorter) is seeded by the source id, so feeds that failed together
    spread out, and a test can predict the exact value.
    """
    doubled = source.interval * 2 ** min(max(failures - 1, 0), 20)
    seed = hashlib.sha256(f"{source.id}:{failures}".encode()).digest()
    fraction = int.from_bytes(seed[:4], "big") / 2**32
    return float(min(doubled, MAX_BACKOFF)) * (1 - 0.2 * fraction)


def _fallback(
    source: Source, state: FeedState, now: dt.datetime, error: str, root: Path | None
) -> PollResult:
    """Serve the local copy named by `source.fallback` when the network is down."""
    path = Path(source.fallback or "")
    path = path if path.is_absolute() or root is None else root / path
    skipped: tuple[str, ...] = ()
    try:
        if path.is_dir():
            items = load_articles(path, source)
        elif path.suffix in {".yaml", ".yml"}:
            items = load_videos(path, source)
        else:
            parsed = parse_feed(
                path.read_bytes(), source=source, base_url=source.url or path.as_uri()
            )
            items, skipped = parsed.items, parsed.skipped
    except (OSError, FeedError, ContentError) as e:
        return _failure(
            source, state, now, f"{error}; fallback {source.fallback} unusable: {_one_line(str(e))}"
        )
    note = "; ".join(
        (f"{error}; served {len(items)} items from fallback {source.fallback}", *skipped)
    )
    log.warning("feed %s offline: %s", source.id, note, extra={"source": source.id})
    return PollResult(items, _failed_state(source, state, now, error), False, None, note)


def content_hash(item: Item) -> str:
    """A digest of what a reader sees, so an edited entry (same key) can be told apart."""
    fields = [
        item.kind,
        item.title,
        item.summary,
        item.body_html,
        item.link,
        item.video_url,
        item.image_url,
        item.published.isoformat() if item.published else None,
        list(item.topics),
    ]
    encoded = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def _unreachable(e: requests.ConnectionError, url: str, timeout: TimeoutSpec) -> str:
    if isinstance(e, requests.ConnectTimeout):
        connect = timeout[0] if isinstance(timeout, tuple) else timeout
        return f"timed out connecting after {connect:g} s to {url}"
    if isinstance(e, requests.exceptions.SSLError):
        detail = _TLS.search(str(e))
        return f"TLS error from {url}: {detail.group(1).strip() if detail else 'handshake failed'}"
    reason = _ERRNO.search(str(e))
    return f"cannot connect to {url}: {reason.group(1).strip() if reason else 'connection failed'}"


def _read_timeout(timeout: TimeoutSpec) -> float:
    return timeout[1] if isinstance(timeout, tuple) else timeout


def _moved(resp: requests.Response) -> str | None:
    if any(r.status_code in (301, 308) for r in resp.history):
        return f"the feed moved permanently to {resp.url}; update the source url"
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())
