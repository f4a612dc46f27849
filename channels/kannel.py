"""SMS through a Kannel smsbox `sendsms`: POST with X-Kannel-* headers, coding always explicit.

Verified against Kannel 1.4.5 (tests/test_kannel_real.py): the text goes UTF-8 in the body
with `Content-Type: text/plain; charset=UTF-8` and `X-Kannel-Coding: 2` for UCS-2. Without
the charset, smsbox reads the UTF-8 bytes as Latin-1 and sends mojibake; without coding 2
it sends `?` for each Vietnamese letter. Both still answer 202.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from campaigns.model import Target
from campaigns.retry_after import parse_retry_after
from channels import http
from channels.base import Message, Receipt, Transport
from channels.dlr import kannel_dlr_url
from channels.errors import (
    ChannelError,
    ConfigurationError,
    PermanentError,
    TransientError,
    Unconfirmed,
    partial,
)
from channels.recipients import batches, check_numbers
from channels.smstext import check_text

log = logging.getLogger(__name__)

CODING = {"gsm7": "0", "ucs2": "2"}
DLR_MASK = "31"  # delivered, failed, buffered, SMSC accepted, SMSC rejected
MAX_SEGMENTS = 10
"""Kannel cuts longer texts silently at the sendsms-user's max-messages (10 in our config)."""


def _sender(target: Target) -> str | None:
    sender = target.options.get("sender")
    if sender is None:
        return None
    text = str(sender)
    if not text or not text.isascii() or not text.isprintable() or len(text) > 16:
        raise ConfigurationError(f"target {target.id}: option sender must be 1-16 ASCII characters")
    return text


def _dlr_base(target: Target) -> str | None:
    base = target.options.get("dlr_url")
    if base is None:
        return None
    url = http.http_url(target, "option dlr_url", base)
    if "%" in url:
        raise ConfigurationError(f"target {target.id}: option dlr_url must not contain '%'")
    return url


def classify(status: int, body: str, headers: Mapping[str, str]) -> str:
    """'accepted' or 'queued' for smsbox's two 202 answers; raises the matching ChannelError."""
    text = " ".join(body.split())[:200]
    if status == 202 and text.startswith("0:"):
        return "accepted"
    if status == 202 and text.startswith("3:"):
        return "queued"
    if status in (429, 503):
        retry = parse_retry_after(headers.get("Retry-After"))
        raise TransientError(f"Kannel {status}: {text}", status=status, retry_after=retry)
    if status == 403:
        raise PermanentError(
            f"Kannel 403: {text} (credentials, allowed IP or route)", status=status
        )
    if 400 <= status < 500:
        raise PermanentError(f"Kannel {status}: {text}", status=status)
    if 200 <= status < 300:
        raise Unconfirmed(f"Kannel gave an unexpected {status}: {text!r}", status=status)
    raise TransientError(f"Kannel {status}: {text}", status=status)


def _never_arrived(error: requests.RequestException) -> bool:
    """True when the request surely never reached Kannel (refused, or no connection in time)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError | ConnectionRefusedError)


class KannelTransport(Transport):
    """Sends one Message to its recipients in batches of `max_batch` numbers per request."""

    name: ClassVar[str] = "kannel"
    kinds: ClassVar[tuple[str, ...]] = ("sms",)
    max_batch: ClassVar[int] = 50

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        super().__init__(target, session=session)
        self.url = http.http_url(target, "endpoint", target.endpoint)
        if urlsplit(self.url).query:
            raise ConfigurationError(f"target {target.id}: endpoint must have no query string")
        for field in ("username", "password"):
            if not target.credentials.get(field):
                raise ConfigurationError(
                    f"target {target.id}: credentials.{field} must name an environment variable"
                )
        self.sender = _sender(target)
        self.dlr_base = _dlr_base(target)
        self.batch_size = http.option_int(target, "max_batch", self.max_batch, 1, 500)
        self.max_segments = http.option_int(target, "max_segments", MAX_SEGMENTS, 1, 255)

    def _auth(self) -> dict[str, str]:
        """Credential headers from the environment; PermanentError naming the unset variable."""
        values = {f: self.target.secret(f) for f in ("username", "password")}
        for field, value in values.items():
            if not value:
                var = self.target.credentials.get(field)
                raise PermanentError(f"kannel target {self.target.id}: ${var} is not set")
        return {
            "X-Kannel-Username": values["username"] or "",
            "X-Kannel-Password": values["password"] or "",
        }

    def _headers(self, message: Message, encoding: str) -> dict[str, str]:
        headers = {**self._auth(), "X-Kannel-Coding": CODING[encoding]}
        headers["Content-Type"] = "text/plain; charset=UTF-8"
        if self.sender:
            headers["X-Kannel-From"] = self.sender
        if self.dlr_base and message.delivery_id is not None:
            headers["X-Kannel-DLR-Mask"] = DLR_MASK
            headers["X-Kannel-DLR-URL"] = kannel_dlr_url(
                self.dlr_base, message.delivery_id, message.dlr_sig
            )
        return headers

    def _post(self, numbers: tuple[str, ...], headers: dict[str, str], body: bytes) -> str:
        """One sendsms request; returns classify()'s verdict or raises a ChannelError."""
        try:
            response = self.session.post(
                self.url,
                data=body,
                headers={**headers, "X-Kannel-To": " ".join(numbers)},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as e:
            kind = TransientError if _never_arrived(e) else Unconfirmed
            raise kind(f"Kannel at {self.url} did not answer: {type(e).__name__}") from e
        return classify(response.status_code, response.text, response.headers)

    def publish(self, message: Message) -> Receipt:
        """Send to every recipient; a failure after some batches carries `sent` (never resend)."""
        try:
            numbers = check_numbers(message.recipients)
            encoding, segments = check_text(message.text, message.encoding, self.max_segments)
        except ValueError as e:
            raise PermanentError(f"kannel target {self.target.id}: {e}") from e
        headers = self._headers(message, encoding)
        groups = batches(numbers, self.batch_size)
        queued = self._send(message, groups, headers)
        detail = {
            "recipients": len(numbers),
            "batches": len(groups),
            "segments": segments,
            "encoding": encoding,
            "queued": queued,
            "dlr": "X-Kannel-DLR-URL" in headers,
        }
        return Receipt(remote_id=self._remote_id(message, numbers), status=202, detail=detail)

    def _send(
        self, message: Message, groups: list[tuple[str, ...]], headers: dict[str, str]
    ) -> int:
        """Post each batch in turn and return how many numbers smsbox only queued; each answer
        goes to `message.batch_done` before the next batch is posted."""
        body = message.text.encode("utf-8")
        sent: list[str] = []
        queued = 0
        for index, group in enumerate(groups, 1):
            message.batch_start(group)
            try:
                verdict = self._post(group, headers, body)
            except ChannelError as e:
                unsure = group if isinstance(e, Unconfirmed) else ()
                log.warning("kannel %s: batch %s/%s: %s", self.target.id, index, len(groups), e)
                message.batch_done((), unsure)
                raise partial(e, tuple(sent), unsure) from e
            log.info(
                "kannel %s: batch %s/%s, %s numbers: %s",
                self.target.id,
                index,
                len(groups),
                len(group),
                verdict,
            )
            sent.extend(group)
            queued += len(group) if verdict == "queued" else 0
            message.batch_done(group)
        return queued

    def _remote_id(self, message: Message, numbers: tuple[str, ...]) -> str:
        """Stable for a given delivery: Kannel has no id of its own to give back."""
        if message.delivery_id is not None:
            return f"kannel:{message.delivery_id}"
        digest = hashlib.sha1("\n".join((message.text, *numbers)).encode(), usedforsecurity=False)
        return f"kannel:{digest.hexdigest()[:12]}"
