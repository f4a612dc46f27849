"""A fake Zalo OA Open API and OAuth server: always HTTP 200 with an {error, message, data} body."""

from __future__ import annotations

import itertools
import secrets
import time
from typing import Any

from tests.fakes.base import FakeServer, Request, Response

APP_ID = "4291763606161179100"
APP_SECRET = "zalo-app-secret-Qw3rTy"
SEED_REFRESH = "seed-refresh-9f8e7d6c5b4a"
OAUTH_PATH = "/v4/oa/access_token"
MESSAGES = {
    -32: "Your application reached limit call api",
    -201: "Invalid parameter",
    -214: "Article is being processed",
    -216: "Access token is invalid",
}
LIMITS = {"title": 150, "author": 50, "description": 300}


def envelope(
    error: int = 0,
    data: dict[str, Any] | None = None,
    message: str | None = None,
    delay: float = 0.0,
) -> Response:
    """Zalo's answer to everything: HTTP 200, and `error` says what happened."""
    body: dict[str, Any] = {"error": error, "message": message or MESSAGES.get(error, "Success")}
    if data is not None:
        body["data"] = data
    return Response(200, body, delay=delay)


def broadcast_body(article_id: str, cities: str = "16") -> dict[str, Any]:
    """A v2.0/oa/message broadcast of one article, shaped as channels.md §3 documents."""
    element = {"media_type": "article", "attachment_id": article_id}
    payload = {"template_type": "media", "elements": [element]}
    target = {"gender": "0", "cities": cities}
    return {
        "recipient": {"target": target},
        "message": {"attachment": {"type": "template", "payload": payload}},
    }


def oauth_error(code: int, reason: str) -> Response:
    """The OAuth server's refusal: HTTP 200 with error, error_name and error_reason [C]."""
    return Response(200, {"error": code, "error_name": "Invalid parameter", "error_reason": reason})


class ZaloFake(FakeServer):
    """One OA: rotating single-use refresh tokens, async articles, switches for -216/-32/-201."""

    def __init__(self, processing_polls: int = 2) -> None:
        super().__init__()
        self.reset(processing_polls)

    def reset(self, processing_polls: int = 2) -> None:
        """A freshly authorised OA: the seed refresh token is valid, nothing published yet."""
        with self.lock:
            self.requests.clear()
            self.script.clear()
        self.refresh_token = SEED_REFRESH
        self.access_token = "zalo-access-" + secrets.token_hex(8)
        self.spent: set[str] = set()
        self.processing_polls = processing_polls
        self.refresh_delay = 0.0
        self.failing: dict[int, int] = {}  # error code -> how many more API calls answer it
        self.articles: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1001)

    def routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("POST", OAUTH_PATH, self.oauth),
            ("POST", "/v2.0/article/create", self.api(self.create)),
            ("POST", "/v2.0/article/verify", self.api(self.verify)),
            ("POST", "/v2.0/oa/message", self.api(self.broadcast)),
            ("GET", "/v2.0/oa/getoa", self.api(self.getoa)),
        ]

    def fail_next(self, code: int, times: int = 1) -> None:
        """Answer the next `times` API calls (after the token check) with `code`."""
        with self.lock:
            self.failing[code] = times

    def expire_access_token(self) -> None:
        """The OA token stops working now, as if its 25 hours had passed."""
        with self.lock:
            self.access_token = "zalo-access-" + secrets.token_hex(8)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def oauth(self, request: Request) -> Response:
        """Trade a refresh token for a new pair; the old refresh token dies with it."""
        time.sleep(self.refresh_delay)
        form = {k: v[0] for k, v in request.form().items()}
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return oauth_error(-14002, "Invalid app_id or secret_key")
        if form.get("grant_type") != "refresh_token":
            return oauth_error(-14003, "Invalid grant_type")
        with self.lock:
            given = form.get("refresh_token", "")
            if given != self.refresh_token:
                return oauth_error(-14014, "Invalid refresh token")
            self.spent.add(given)
            self.refresh_token = "zalo-refresh-" + secrets.token_hex(8)
            self.access_token = "zalo-access-" + secrets.token_hex(8)
            pair = {"access_token": self.access_token, "refresh_token": self.refresh_token}
        return Response(200, {**pair, "expires_in": "90000"})

    def api(self, handler: Any) -> Any:
        """Wrap an OA endpoint with the token check and the failure switches."""

        def serve(request: Request) -> Response:
            with self.lock:
                if request.headers.get("access_token") != self.access_token:
                    return envelope(-216)
                for code, left in list(self.failing.items()):
                    if left > 0:
                        self.failing[code] = left - 1
                        return envelope(code)
            result: Response = handler(request)
            return result

        return serve

    def create(self, request: Request) -> Response:
        article = request.json()
        problem = invalid_article(article)
        if problem:
            return envelope(-201, message=f"Invalid parameter: {problem}")
        token = "art-token-" + secrets.token_hex(6)
        with self.lock:
            self.articles[token] = {"article": article, "polls": self.processing_polls, "id": None}
        return envelope(0, {"token": token})

    def verify(self, request: Request) -> Response:
        token = (request.json() or {}).get("token")
        with self.lock:
            entry = self.articles.get(str(token))
            if entry is None:
                return envelope(-201, message="Invalid parameter: token")
            if entry["polls"] > 0:
                entry["polls"] -= 1
                return envelope(-214)
            if entry["id"] is None:
                entry["id"] = f"{next(self._ids):x}a7c3e9b2d4f6"
            return envelope(0, {"id": entry["id"]})

    def getoa(self, request: Request) -> Response:
        """The OA's profile (`GET /v2.0/oa/getoa`), in the same HTTP 200 envelope."""
        return envelope(0, {"oa_id": "2491302944280861639", "name": "UBND tỉnh Đồng Nai"})

    def broadcast(self, request: Request) -> Response:
        body = request.json() or {}
        elements = (
            body.get("message", {}).get("attachment", {}).get("payload", {}).get("elements", [])
        )
        if not elements or len(elements) > 5:
            return envelope(-201, message="Invalid parameter: elements")
        return envelope(0, {"message_id": secrets.token_hex(16)})


def invalid_article(article: Any) -> str | None:
    """What is wrong with an article body by Zalo's documented limits, or None."""
    if not isinstance(article, dict) or article.get("type") != "normal":
        return "type"
    for name, limit in LIMITS.items():
        value = article.get(name)
        if not isinstance(value, str) or not value or len(value) > limit:
            return name
    cover = article.get("cover")
    if not isinstance(cover, dict) or not cover.get("photo_url"):
        return "cover"
    if not isinstance(article.get("body"), list) or not article["body"]:
        return "body"
    if article.get("status") not in {"show", "hide"}:
        return "status"
    return None
