"""A fake Kannel smsbox `sendsms` that answers with the exact strings Kannel 1.4.5 gave us."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from channels.smstext import is_gsm7
from tests.fakes.base import FakeServer, Handler, Request, Response

# The answers, verbatim from a real smsbox (docs/channels.md 4.1 and tests/test_kannel_real.py)
ACCEPTED = "0: Accepted for delivery"
QUEUED = "3: Queued for later delivery"
NO_RECEIVER = "Missing receiver(s) number(s), rejected"
EMPTY_RECEIVER = "Empty receiver number not allowed, rejected"
BAD_CODING = "Coding field misformed, rejected"
DENIED = "Number(s) has/have been denied by white- and/or black-lists."
AUTH_FAILED = "Authorization failed for sendsms"
NOT_ROUTABLE = "Not routable. Do not try again."
TEMPORAL = "Temporal failure, try again later."


def answer(status: int, text: str) -> Response:
    """A reply shaped like smsbox's: text/html, no trailing newline."""
    return Response(status, text, headers={"Content-Type": "text/html"})


@dataclass
class Sms:
    """One MT the fake accepted, per receiver, as an SMSC would get it."""

    to: str
    text: str
    coding: int
    sender: str | None
    dlr_mask: int | None
    dlr_url: str | None


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return "latin-1"  # smsbox reads a body with no charset as Latin-1 (UTF-8 turns to mojibake)


class FakeSmsbox(FakeServer):
    """POST reads only X-Kannel-* headers (query credentials on a POST give 403, as for real)."""

    def __init__(self, username: str = "tester", password: str = "foobar") -> None:
        super().__init__()
        self.username, self.password = username, password
        self.sent: list[Sms] = []
        self.queue_only = False  # answer "3: Queued" as when no SMSC is connected

    def reset(self) -> None:
        """Forget what came before, so one running fake can serve a module of tests."""
        with self.lock:
            self.requests.clear()
            self.script.clear()
            self.sent.clear()
            self.queue_only = False

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/cgi-bin/sendsms", self.sendsms),
            ("GET", "/cgi-bin/sendsms", self.sendsms),
        ]

    def fields(self, request: Request) -> tuple[dict[str, str], str]:
        """(parameters, text) from headers and body for POST, from the query string for GET."""
        if request.method == "GET":
            params = {k: v[0] for k, v in request.query.items()}
            return params, params.get("text", "")
        prefix = "x-kannel-"
        params = {k[len(prefix) :]: v for k, v in request.headers.items() if k.startswith(prefix)}
        charset = _charset(request.headers.get("content-type", ""))
        return params, request.body.decode(charset, errors="replace")

    def sendsms(self, request: Request) -> Response:
        params, text = self.fields(request)
        if params.get("username") != self.username or params.get("password") != self.password:
            return answer(403, AUTH_FAILED)
        if "to" not in params:
            return answer(400, NO_RECEIVER)
        receivers = unquote_plus(params["to"]).split()
        if not receivers:
            return answer(400, EMPTY_RECEIVER)
        coding = params.get("coding", "0")
        if coding not in ("0", "1", "2"):
            return answer(400, BAD_CODING)
        if coding == "0" and not is_gsm7(text):  # the verified gotcha: 202, and '?' on the phone
            text = "".join(c if is_gsm7(c) else "?" for c in text)
        for to in receivers:
            self.sent.append(
                Sms(
                    to,
                    text,
                    int(coding),
                    params.get("from"),
                    int(params["dlr-mask"]) if params.get("dlr-mask") else None,
                    params.get("dlr-url"),
                )
            )
        return answer(202, QUEUED if self.queue_only else ACCEPTED)
