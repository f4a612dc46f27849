"""A feed host that answers conditional GETs like a real one, with switches for its bad days."""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tests.fakes.base import FakeServer, Handler, Request, Response

DATA = Path(__file__).resolve().parent.parent / "data" / "feeds"
RSS = "application/rss+xml; charset=utf-8"
HUGE = b"<rss version='2.0'><channel>" + b" " * 6_000_000  # over the 5 MB cap
Mode = Literal["ok", "404", "500", "503", "timeout", "huge", "gzip-bomb", "html"]


@dataclass
class Feed:
    body: bytes
    content_type: str
    modified: dt.datetime

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'

    @property
    def last_modified(self) -> str:
        return email.utils.format_datetime(self.modified, usegmt=True)


class FeedServer(FakeServer):
    """Serves feeds by path; `mode` forces an error, `etags=False` plays a host without ETags."""

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        """Forget feeds, requests and switches, so one running host can serve many tests."""
        with self.lock:
            self.requests.clear()
            self.script.clear()
        self.feeds: dict[str, Feed] = {}
        self.mode: Mode = "ok"
        self.delay = 1.0  # seconds the "timeout" mode waits before answering
        self.etags = True
        self.clock = dt.datetime(2024, 3, 18, 2, 0, tzinfo=dt.UTC)

    def publish(self, path: str, body: bytes | str, content_type: str = RSS) -> str:
        """Put (or replace) the feed at `path`, one minute newer than the last; returns its URL."""
        self.clock += dt.timedelta(minutes=1)
        data = body.encode() if isinstance(body, str) else body
        self.feeds[path] = Feed(data, content_type, self.clock)
        return self.url + path

    def publish_file(self, path: str, name: str, content_type: str = RSS) -> str:
        return self.publish(path, (DATA / name).read_bytes(), content_type)

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("GET", "/", self._get)]

    def _get(self, request: Request) -> Response:
        forced = self._forced()
        if forced is not None:
            return forced
        feed = self.feeds.get(request.path)
        if feed is None:
            return Response(404, "<h1>Không tìm thấy</h1>", {"Content-Type": "text/html"})
        headers = {"Content-Type": feed.content_type, "Last-Modified": feed.last_modified}
        if self.etags:
            headers["ETag"] = feed.etag
        if self._fresh(request, feed):
            return Response(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
        return Response(200, feed.body, headers)

    def _fresh(self, request: Request, feed: Feed) -> bool:
        tags = request.headers.get("if-none-match")
        if tags is not None:
            return self.etags and feed.etag in [t.strip() for t in tags.split(",")]
        since = request.headers.get("if-modified-since")
        if since is None:
            return False
        try:
            return feed.modified <= email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False

    def _forced(self) -> Response | None:
        match self.mode:
            case "404":
                return Response(404, "<h1>404 Not Found</h1>", {"Content-Type": "text/html"})
            case "500":
                return Response(500, "Internal Server Error")
            case "503":
                return Response(503, "Bảo trì", {"Retry-After": "7200"})
            case "timeout":
                return Response(200, b"<rss/>", {"Content-Type": RSS}, delay=self.delay)
            case "huge":
                return Response(200, HUGE, {"Content-Type": RSS})
            case "gzip-bomb":
                headers = {"Content-Type": RSS, "Content-Encoding": "gzip"}
                return Response(200, _bomb(), headers)
            case "html":
                html = (DATA / "not-a-feed.html").read_bytes()
                return Response(200, html, {"Content-Type": "text/html; charset=utf-8"})
        return None


@functools.cache
def _bomb() -> bytes:
    """HUGE gzipped: a few kB on the wire, so only the streaming cap can catch it."""
    return gzip.compress(HUGE)
