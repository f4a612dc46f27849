"""A fake Facebook Graph API for one Page: /feed and /photos, its error objects, usage headers."""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
from typing import Any

from tests.fakes.base import FakeServer, Request, Response

PAGE_ID = "104729385610001"
PAGE_TOKEN = "EAAGm0PX4ZCpsBAKfakePageTokenZZ0123456789"

# code -> (HTTP status, message, type, subcode, is_transient), as channels.md §2 documents them
ERRORS: dict[int, tuple[int, str, str, int | None, bool | None]] = {
    1: (500, "An unknown error occurred", "OAuthException", None, True),
    2: (
        500,
        "An unexpected error has occurred. Please retry your request later.",
        "OAuthException",
        None,
        True,
    ),
    4: (403, "(#4) Application request limit reached", "OAuthException", None, True),
    17: (400, "(#17) User request limit reached", "OAuthException", None, True),
    32: (400, "(#32) Page request limit reached", "OAuthException", 460, True),
    80001: (
        400,
        "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
        "OAuthException",
        None,
        True,
    ),
    613: (
        400,
        "(#613) Calls to this api have exceeded the rate limit.",
        "OAuthException",
        1996,
        True,
    ),
    368: (
        400,
        "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
        "OAuthException",
        1390008,
        False,
    ),
    506: (400, "(#506) Duplicate status message", "OAuthException", None, False),
    190: (400, "Error validating access token: Session has expired.", "OAuthException", 463, False),
    10: (
        403,
        "(#10) Application does not have permission for this action",
        "OAuthException",
        None,
        False,
    ),
    200: (403, "(#200) Permissions error", "OAuthException", None, False),
    100: (400, "(#100) Invalid parameter", "OAuthException", None, False),
}
_PATH = re.compile(r"/v(\d+)\.0/([^/]+)/(feed|photos)")


def buc_usage(page_id: str = PAGE_ID, *, call_count: int = 12, regain_minutes: int = 0) -> str:
    """An X-Business-Use-Case-Usage header value for a Page token."""
    entry = {
        "type": "pages",
        "call_count": call_count,
        "total_cputime": call_count // 2,
        "total_time": call_count // 2,
        "estimated_time_to_regain_access": regain_minutes,
    }
    return json.dumps({page_id: [entry]})


def app_usage(call_count: int, total_time: int = 5, total_cputime: int = 5) -> str:
    """An X-App-Usage header value (percent of the app's rolling-hour quota)."""
    return json.dumps(
        {"call_count": call_count, "total_time": total_time, "total_cputime": total_cputime}
    )


def graph_error(
    code: int,
    *,
    status: int | None = None,
    message: str | None = None,
    headers: dict[str, str] | None = None,
    is_transient: bool | None = None,
) -> Response:
    """The answer Graph gives for error `code`: its error object, with the usual status."""
    known = ERRORS.get(code, (400, f"(#{code}) Unexpected error", "OAuthException", None, None))
    real_status, real_message, kind, subcode, transient = known
    error: dict[str, Any] = {
        "message": message or real_message,
        "type": kind,
        "code": code,
        "fbtrace_id": "Fz54k3GZrio",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        transient = is_transient
    if transient is not None:
        error["is_transient"] = transient
    return Response(
        status or real_status,
        {"error": error},
        headers if headers is not None else {"X-Business-Use-Case-Usage": buc_usage()},
    )


class GraphFake(FakeServer):
    """One Page with one Page token; `fail_with(code)` makes every publish answer that error."""

    def __init__(self, page_id: str = PAGE_ID, token: str = PAGE_TOKEN) -> None:
        super().__init__()
        self.page_id = page_id
        self.token = token
        self.reset()

    def reset(self) -> None:
        """Forget requests, posts, scripts and switches (a fresh Page between tests)."""
        with self.lock:
            self.requests.clear()
            self.script.clear()
        self.failing: int | None = None
        self.call_count = 12
        self.posts: list[dict[str, Any]] = []
        self._ids = itertools.count(900000000000001)

    def routes(self) -> list[tuple[str, str, Any]]:
        return [("GET", "/v", self.me), ("POST", "/v", self.publish)]

    def me(self, request: Request) -> Response:
        """`GET /v{N}.0/me` with a Page token answers that Page: {id, name}."""
        if re.fullmatch(r"/v\d+\.0/me", request.path) is None:
            return graph_error(100, message="Unknown path components")
        if self.presented_token(request) != self.token:
            return graph_error(
                190, message="Invalid OAuth access token - Cannot parse access token"
            )
        return Response(200, {"id": self.page_id, "name": "UBND Thành phố Biên Hòa"})

    def fail_with(self, code: int | None) -> None:
        self.failing = code

    def publish(self, request: Request) -> Response:
        match = _PATH.fullmatch(request.path)
        if match is None or match.group(2) != self.page_id:
            return graph_error(
                100,
                message="Unsupported post request. Object does not exist, "
                "cannot be loaded due to missing permissions, or does not "
                "support this operation",
            )
        if self.presented_token(request) != self.token:
            return graph_error(
                190, message="Invalid OAuth access token - Cannot parse access token"
            )
        if self.failing is not None:
            return graph_error(self.failing)
        fields = form_fields(request)
        headers = {"X-Business-Use-Case-Usage": buc_usage(self.page_id, call_count=self.call_count)}
        if match.group(3) == "photos":
            if "source" not in fields and "url" not in fields:
                return graph_error(324, message="(#324) Requires upload file")
            post = f"{self.page_id}_{next(self._ids)}"
            self.posts.append({"edge": "photos", "post_id": post, **fields})
            return Response(200, {"id": str(next(self._ids)), "post_id": post}, headers)
        if not fields.get("message") and not fields.get("link"):
            return graph_error(100, message="(#100) Missing message or attachment")
        post = f"{self.page_id}_{next(self._ids)}"
        self.posts.append({"edge": "feed", "id": post, **fields})
        return Response(200, {"id": post}, headers)

    @staticmethod
    def presented_token(request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth.startswith("Bearer "):
            return auth[len("Bearer ") :]
        fields = form_fields(request)
        query = request.query.get("access_token", [None])[0]
        return query or (
            fields.get("access_token") if isinstance(fields.get("access_token"), str) else None
        )


def form_fields(request: Request) -> dict[str, Any]:
    """A form or multipart body as {name: str, or bytes for a file part}."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        head = f"Content-Type: {kind}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
        fields: dict[str, Any] = {}
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            fields[str(name)] = payload if part.get_filename() else payload.decode()
        return fields
    return {k: v[0] for k, v in request.form().items()}
