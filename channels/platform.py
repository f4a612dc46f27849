"""Uploads a loudspeaker item to a management platform (truyền thanh thông minh) and schedules it.

Two signed calls, following the webhook conventions (Idempotency-Key, HMAC-SHA256 in
`X-Loa-Signature`, optional bearer token, lookup by reference):

1. `POST {endpoint}/media`, multipart: `metadata` (JSON), `script` (text) and `audio` (MP3),
   answered 201 `{"id": media id}` (409 with the id: already uploaded);
2. `POST {endpoint}/schedules`, JSON `{reference, media_id, slot, seconds, max_seconds,
   station}`, answered 201 `{"id", "slot"}`, 409 (already scheduled), or 422
   `{"error": "slot_full"}`: the item then waits for the next slot, said in the receipt.

`GET {endpoint}/schedules/{reference}` finds an item scheduled before a crash (200 or 404).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any, ClassVar
from urllib.parse import quote

import requests
from urllib3.filepost import encode_multipart_formdata

from campaigns.broadcast import slot_id
from campaigns.model import Target
from channels import http
from channels.base import Message, Receipt, Transport
from channels.bulletin import MAX_SLOTS, overflow, piece, slots_of, warning, when
from channels.errors import PermanentError, TransientError
from channels.webhook import SIGNATURE_HEADER, signature

log = logging.getLogger(__name__)


class PlatformTransport(Transport):
    """The `http` transport for loudspeaker targets."""

    name: ClassVar[str] = "http"
    kinds: ClassVar[tuple[str, ...]] = ("loudspeaker",)
    can_lookup: ClassVar[bool] = True

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        super().__init__(target, session=session)
        self.url = http.base_url(target)
        self.token = http.secret(target, "token", required=False)
        self.secret = http.secret(target, "secret", required=False)
        self.slots = slots_of(target)
        self.station = str(target.options.get("station_id") or target.unit)

    def publish(self, message: Message) -> Receipt:
        """Upload once, then ask for the first slot from the due time that has room."""
        entry = piece(message)
        found = self.lookup(message)
        if found is not None:
            return found
        media = self._upload(message, entry)
        slot = self.slots.next(message.due or dt.datetime.now(dt.UTC))
        passed: list[str] = []
        for _ in range(MAX_SLOTS):
            response = self._schedule(message, entry, media, slot)
            if response is not None:
                note = warning(message, passed, slot)
                if passed:  # the missing espeak-ng was said once already, by channels.audio
                    log.warning("%s: %s: %s", self.target.id, entry["name"], overflow(passed, slot))
                return self._receipt(response, entry, slot, note)
            passed.append(f"the {when(slot)} bulletin was full")
            slot = self.slots.after(slot)
        raise TransientError(f"{self.target.id}: no room in the next {MAX_SLOTS} bulletins")

    def lookup(self, message: Message) -> Receipt | None:
        reference = _reference(message)
        url = f"{self.url}/schedules/{quote(reference, safe='')}"
        response = self._send("GET", url, b"", {})
        if response.status_code == 404:
            return None
        what = f"{self.target.id}: look up {reference}"
        if response.status_code != 200:
            raise http.error_for(response, what, http.snippet(response))
        found = http.json_of(response, what)
        document = found if isinstance(found, dict) else {}
        detail = {"found": True, "slot": document.get("slot"), "seconds": document.get("seconds")}
        slot = document.get("slot")
        if isinstance(slot, str):
            detail["bulletin"] = slot_id(dt.datetime.fromisoformat(slot))
        return Receipt(str(document.get("id") or reference), status=200, detail=detail)

    def _upload(self, message: Message, entry: dict[str, Any]) -> str:
        """POST /media as multipart with a boundary fixed by the reference, so it can be signed."""
        metadata = {k: entry[k] for k in ("name", "title", "seconds")} | {"station": self.station}
        fields: list[tuple[str, Any]] = [
            (
                "metadata",
                ("metadata.json", json.dumps(metadata, ensure_ascii=False), "application/json"),
            ),
        ]
        for name, attachment in zip(("script", "audio"), message.attachments, strict=False):
            fields.append((name, (attachment.filename, attachment.data, attachment.media_type)))
        body, content_type = encode_multipart_formdata(fields, boundary=f"loa-{message.reference}")
        response = self._send(
            "POST",
            f"{self.url}/media",
            body,
            {"Content-Type": content_type},
            key=f"{message.reference}-media",
        )
        what = f"{self.target.id}: upload {message.reference}"
        if response.status_code != 409 and not 200 <= response.status_code < 300:
            raise http.error_for(response, what, http.snippet(response))
        found = http.json_or_none(response) if response.status_code == 409 else None
        document = found if found is not None else http.json_of(response, what)
        if not isinstance(document, dict) or not document.get("id"):
            raise TransientError(f"{what}: the answer names no media id")
        return str(document["id"])

    def _schedule(
        self, message: Message, entry: dict[str, Any], media: str, slot: dt.datetime
    ) -> requests.Response | None:
        """POST /schedules for one slot; None when that bulletin is full (422 slot_full)."""
        document = {
            "reference": message.reference,
            "media_id": media,
            "slot": slot.isoformat(),
            "seconds": entry["seconds"],
            "max_seconds": self.slots.max_seconds,
            "station": self.station,
            "title": entry["title"],
        }
        body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        key = f"{message.reference}@{slot_id(slot)}"
        response = self._send("POST", f"{self.url}/schedules", body, headers, key=key)
        if response.status_code == 422:
            answer = http.json_or_none(response)
            if isinstance(answer, dict) and answer.get("error") == "slot_full":
                return None
        if response.status_code == 409 or 200 <= response.status_code < 300:
            return response
        raise http.error_for(
            response, f"{self.target.id}: schedule {message.reference}", http.snippet(response)
        )

    def _receipt(
        self,
        response: requests.Response,
        entry: dict[str, Any],
        slot: dt.datetime,
        note: str | None,
    ) -> Receipt:
        answer = http.json_or_none(response)
        document = answer if isinstance(answer, dict) else {}
        detail: dict[str, Any] = {
            "bulletin": slot_id(slot),
            "slot": slot.isoformat(),
            "seconds": entry["seconds"],
        }
        if response.status_code == 409:
            detail["duplicate"] = True
        if note:
            detail["warning"] = note
        remote = document.get("id") or entry["name"]
        return Receipt(str(remote), status=response.status_code, detail=detail)

    def _send(
        self, method: str, url: str, body: bytes, headers: dict[str, str], *, key: str | None = None
    ) -> requests.Response:
        """One signed request: Idempotency-Key, HMAC of the exact body, bearer token."""
        headers = dict(headers)
        if method == "POST":
            headers["Idempotency-Key"] = key or message_key(url)
            if self.secret:
                headers[SIGNATURE_HEADER] = signature(self.secret, body)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return http.send(
            self.session,
            method,
            url,
            timeout=self.timeout,
            headers=headers,
            data=body or None,
            allow_redirects=False,
        )


def message_key(url: str) -> str:
    """Every POST names its key; this is only reached by a programming slip."""
    raise PermanentError(f"no Idempotency-Key for POST {http.safe_url(url)}")


def _reference(message: Message) -> str:
    if not message.reference:
        raise PermanentError("a loudspeaker message needs a reference (its Idempotency-Key)")
    return message.reference
