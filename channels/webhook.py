"""A generic signed JSON POST, for agency portals that are not WordPress but accept a webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from campaigns.model import CHANNEL_KINDS, Target
from channels import http
from channels.base import Message, Receipt, Transport
from channels.errors import PermanentError

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Loa-Signature"


def payload(message: Message) -> bytes:
    """The exact bytes posted (and signed): stable key order, UTF-8, attachments in base64."""
    document = {
        "reference": message.reference,
        "kind": message.kind,
        "title": message.title,
        "text": message.text,
        "body": dict(message.body),
        "link": message.link,
        "attachments": [
            {
                "filename": a.filename,
                "media_type": a.media_type,
                "data": base64.b64encode(a.data).decode("ascii"),
            }
            for a in message.attachments
        ],
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, default=str).encode()


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC of the body>`, so the portal can tell our posts from forged ones."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookTransport(Transport):
    """POSTs a Message as JSON with an Idempotency-Key, so a retried post is recognised."""

    name: ClassVar[str] = "webhook"
    kinds: ClassVar[tuple[str, ...]] = CHANNEL_KINDS
    can_lookup: ClassVar[bool] = True

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        super().__init__(target, session=session)
        self.url = http.base_url(target)
        self.token = http.secret(target, "token", required=False)
        self.secret = http.secret(target, "secret", required=False)
        self.header = str(target.options.get("signature_header", SIGNATURE_HEADER))
        self.lookup_enabled = http.flag(target, "lookup", True)

    def supports_lookup(self) -> bool:
        """`lookup: false` means the portal cannot be asked, so a crash leaves it to an operator."""
        return self.lookup_enabled

    def publish(self, message: Message) -> Receipt:
        """POST the message; 2xx or 409 (already have it) is a Receipt, the rest raise."""
        reference = _reference(message)
        body = payload(message)
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": reference}
        if self.secret:
            headers[self.header] = signature(self.secret, body)
        response = self._send("POST", self.url, data=body, headers=headers)
        what = f"{self.target.id}: post {reference}"
        if response.status_code == 409:
            log.info("%s already has %s (409)", self.target.id, reference)
            return self._receipt(response, reference, what, {"duplicate": True}, strict=False)
        if not 200 <= response.status_code < 300:
            raise http.error_for(response, what, http.snippet(response))
        return self._receipt(response, reference, what, {})

    def lookup(self, message: Message) -> Receipt | None:
        """GET {endpoint}/{reference}: 200 a Receipt, 404 None; `lookup: false` trusts the key."""
        if not self.lookup_enabled:
            return None
        reference = _reference(message)
        response = self._send("GET", f"{self.url}/{quote(reference, safe='')}")
        if response.status_code == 404:
            return None
        what = f"{self.target.id}: look up {reference}"
        if response.status_code != 200:
            raise http.error_for(response, what, http.snippet(response))
        return self._receipt(response, reference, what, {"found": True})

    def _send(self, method: str, url: str, **kw: Any) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return http.send(
            self.session,
            method,
            url,
            timeout=self.timeout,
            headers=headers,
            allow_redirects=False,
            **kw,
        )

    def _receipt(
        self,
        response: requests.Response,
        reference: str,
        what: str,
        detail: dict[str, Any],
        *,
        strict: bool = True,
    ) -> Receipt:
        """A Receipt from the answer's `id` and `url`, the reference when the portal names none."""
        found: Any = None
        if response.content.strip():
            found = http.json_of(response, what) if strict else http.json_or_none(response)
        document = found if isinstance(found, dict) else {}
        remote_id = document.get("id")
        url = document.get("url") or document.get("link")
        return Receipt(
            str(remote_id) if remote_id not in (None, "") else reference,
            url=str(url) if url else None,
            status=response.status_code,
            detail=detail,
        )


def _reference(message: Message) -> str:
    if not message.reference:
        raise PermanentError("a webhook message needs a reference (its Idempotency-Key)")
    return message.reference
