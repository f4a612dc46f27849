"""A fake eSMS.vn SendMultipleMessage_V4_post_json: keys, brandname, RequestId dedupe, balance."""

from __future__ import annotations

import uuid
from typing import Any

from tests.fakes.base import FakeServer, Handler, Request, Response

PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
BALANCE = "/MainService.svc/json/GetBalance/"
REQUIRED = ("ApiKey", "SecretKey", "Phone", "Content", "Brandname", "SmsType")


def code(result: str, message: str = "", **extra: Any) -> Response:
    """An eSMS answer: HTTP 200 with CodeResult as a string, as the docs show."""
    body: dict[str, Any] = {"CodeResult": result, "CountRegenerate": 0, **extra}
    if message:
        body["ErrorMessage"] = message
    return Response(200, body)


class FakeEsms(FakeServer):
    """Answers like eSMS per its docs; `balance` counts how many SMS the account can still pay."""

    def __init__(self, api_key: str = "key", secret_key: str = "secret") -> None:
        super().__init__()
        self.api_key, self.secret_key = api_key, secret_key
        self.brandnames = {"UBND-DNAI"}
        self.blocked: set[str] = set()
        self.balance = 1_000
        self.request_ids: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self.sandboxed: list[dict[str, Any]] = []

    def reset(self) -> None:
        """Forget what came before, so one running fake can serve a module of tests."""
        with self.lock:
            self.requests.clear()
            self.script.clear()
            self.sent.clear()
            self.sandboxed.clear()
            self.request_ids.clear()
            self.blocked.clear()
            self.balance = 1_000

    @property
    def endpoint(self) -> str:
        return self.url + PATH

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", PATH, self.send), ("GET", BALANCE, self.get_balance)]

    def get_balance(self, request: Request) -> Response:
        """`GET .../GetBalance/{ApiKey}/{SecretKey}`: the account's money, or 101 for bad keys."""
        key, _, secret = request.path.removeprefix(BALANCE).partition("/")
        if (key, secret.strip("/")) != (self.api_key, self.secret_key):
            return Response(200, {"CodeResponse": "101", "ErrorMessage": "Authorize Failed"})
        return Response(200, {"Balance": self.balance * 800, "CodeResponse": "100", "UserID": 7})

    def send(self, request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or any(not body.get(k) for k in REQUIRED):
            return Response(200, {"error": "Invalid request"})
        if (body["ApiKey"], body["SecretKey"]) != (self.api_key, self.secret_key):
            return code("101", "Authorize Failed")
        if body["Brandname"] not in self.brandnames:
            return code("104", "Brand name code is not exist")
        request_id = body.get("RequestId", "")
        if request_id and request_id in self.request_ids:
            return code("124", "Request exist 1", SendStatus="5")
        phones = body["Phone"].split(",")
        if any(p in self.blocked for p in phones):
            return code("99", "Phone is blocked")
        if body.get("Sandbox") == "1":  # "sends nothing and costs nothing"
            self.sandboxed.append(body)
            return code("100", SMSID=uuid.uuid4().hex)
        if self.balance < len(phones):
            return code("103", "Balance not enough")
        self.balance -= len(phones)
        if request_id:
            self.request_ids.add(request_id)
        self.sent.append(body)
        return code("100", SMSID=uuid.uuid4().hex)
