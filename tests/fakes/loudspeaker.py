"""A loudspeaker management platform: signed multipart upload, then a schedule per slot.

Media and schedules are kept by Idempotency-Key and reference (409 on a repeat); a slot whose
bulletin would run past `max_seconds` answers 422 `slot_full`; `GET /schedules/{reference}`
finds a schedule (404 when there is none).
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import hmac
from typing import Any

from tests.fakes.base import Handler, Request, Response
from tests.fakes.routed import RoutedFake


class FakePlatform(RoutedFake):
    def __init__(self, token: str | None = None, secret: str | None = None) -> None:
        super().__init__()
        self.token = token
        self.secret = secret
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.media: dict[str, dict[str, Any]] = {}
        self.schedules: dict[str, dict[str, Any]] = {}

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/media", self.upload),
            ("POST", "/schedules", self.schedule),
            ("GET", "/schedules/", self.find),
        ]

    def refused(self, request: Request) -> Response | None:
        if (
            self.token is not None
            and request.headers.get("authorization") != f"Bearer {self.token}"
        ):
            return Response(401, {"error": "bad token"})
        if request.method == "POST":
            if self.secret is not None:
                mac = hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
                if request.headers.get("x-loa-signature") != f"sha256={mac}":
                    return Response(403, {"error": "bad signature"})
            if not request.headers.get("idempotency-key"):
                return Response(422, {"error": "Idempotency-Key is required"})
        return None

    def upload(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        key = request.headers["idempotency-key"]
        if key in self.media:
            return Response(409, {"error": "duplicate", "id": self.media[key]["id"]})
        parts = multipart(request)
        self.media[key] = {"id": f"media-{len(self.media) + 1}", "parts": parts}
        return Response(201, {"id": self.media[key]["id"]})

    def schedule(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        document = request.json()
        reference = document["reference"]
        if reference in self.schedules:
            return Response(409, {"error": "duplicate", "id": self.schedules[reference]["id"]})
        same_slot = [s for s in self.schedules.values() if s["slot"] == document["slot"]]
        used = sum(float(s["seconds"]) for s in same_slot)
        if used + float(document["seconds"]) > float(document["max_seconds"]):
            return Response(422, {"error": "slot_full", "used": used})
        entry = {"id": f"sched-{len(self.schedules) + 1}", **document}
        self.schedules[reference] = entry
        return Response(201, {"id": entry["id"], "slot": entry["slot"]})

    def find(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        reference = request.path.rsplit("/", 1)[-1]
        if reference not in self.schedules:
            return Response(404, {"error": "not found"})
        return Response(200, self.schedules[reference])


def multipart(request: Request) -> dict[str, tuple[str | None, bytes]]:
    """The parts of a multipart/form-data body: field name -> (file name, bytes)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts[str(name)] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return parts
