"""An agency portal's webhook: Idempotency-Key dedupe (409), optional bearer token and signature."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from tests.fakes.base import Handler, Request, Response
from tests.fakes.routed import RoutedFake

PATH = "/hooks/loa"


class FakeWebhook(RoutedFake):
    """Keeps posts by Idempotency-Key; `token` and `secret`, when set, must match."""

    def __init__(self, token: str | None = None, secret: str | None = None) -> None:
        super().__init__()
        self.token = token
        self.secret = secret
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.posts: dict[str, dict[str, Any]] = {}

    @property
    def hook(self) -> str:
        return self.url + PATH

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", PATH, self.receive),
            ("GET", PATH + "/", self.find),
            ("HEAD", PATH, self.head),
        ]

    def head(self, request: Request) -> Response:
        """`HEAD` on the hook: 200 when the token (if one is required) matches, else 401."""
        return Response(200, b"") if self.authorised(request) else Response(401, b"")

    def authorised(self, request: Request) -> bool:
        return self.token is None or request.headers.get("authorization") == f"Bearer {self.token}"

    def receive(self, request: Request) -> Response:
        if not self.authorised(request):
            return Response(401, {"error": "bad token"})
        if self.secret is not None:
            mac = hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
            if request.headers.get("x-loa-signature") != f"sha256={mac}":
                return Response(403, {"error": "bad signature"})
        key = request.headers.get("idempotency-key")
        if not key:
            return Response(422, {"error": "Idempotency-Key is required"})
        if key in self.posts:
            return Response(409, {"error": "duplicate", "id": self.posts[key]["id"]})
        post = {
            "id": f"post-{len(self.posts) + 1}",
            "url": f"{self.url}/tin/{key}",
            "document": request.json(),
        }
        self.posts[key] = post
        return Response(201, {"id": post["id"], "url": post["url"]})

    def find(self, request: Request) -> Response:
        if not self.authorised(request):
            return Response(401, {"error": "bad token"})
        key = request.path.removeprefix(PATH + "/")
        post = self.posts.get(key)
        if post is None:
            return Response(404, {"error": "not found"})
        return Response(200, {"id": post["id"], "url": post["url"]})
