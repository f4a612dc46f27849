"""SMS through the eSMS.vn brandname JSON API, deduplicated by a RequestId we derive ourselves.

RequestId is `loa-<delivery id>-<batch key>`, the key made from the batch's own numbers
(not its position), so a retry of any subset of recipients reuses the ids of the batches
it repeats and eSMS answers 124 instead of sending twice. 124 therefore counts as sent.

Codes, from the eSMS docs (docs/channels.md 4.4): 100 sent; 124 duplicate RequestId;
101/102/104/140/146/177 are account or template problems that stop the whole delivery;
99 (blocked number) and 108 (bad number) refuse only that batch; 103 (balance too low)
is a TransientError with a 30-minute retry_after: retrying costs nothing (RequestId
dedupes, nothing is sent while the balance is short) and the delivery resumes by itself
once someone tops the account up, which the warning in the log asks for.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import requests

from campaigns.model import Target
from campaigns.retry_after import parse_retry_after
from channels import http
from channels.base import Message, Receipt, Transport
from channels.dlr import esms_callback_url
from channels.errors import (
    ChannelError,
    ConfigurationError,
    PermanentError,
    TransientError,
    partial,
)
from channels.recipients import batches, check_numbers, local_vn
from channels.smstext import check_text

log = logging.getLogger(__name__)

ESMS_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ACCOUNT_ERRORS = {
    "101": "ApiKey or SecretKey is wrong",
    "102": "the account has no price list",
    "104": "the brandname is not registered or not active",
    "140": "this IP is not whitelisted at eSMS",
    "146": "the text does not match a registered customer-care template",
    "177": "the carrier is not registered for this brandname",
}
NUMBER_ERRORS = {"99": "number blocked", "108": "number malformed"}
BALANCE_RETRY = 1800.0


def _json(body: str) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def classify(status: int, body: str, headers: Mapping[str, str]) -> tuple[str, str]:
    """('sent', SMSID), ('duplicate', '') or ('refused', code); raises the matching ChannelError."""
    if status == 429 or status >= 500:
        raise TransientError(
            f"eSMS {status}",
            status=status,
            retry_after=parse_retry_after(headers.get("Retry-After")),
        )
    data = _json(body)
    if data is None:
        kind = PermanentError if 400 <= status < 500 else TransientError
        raise kind(f"eSMS {status}: the answer is not a JSON object", status=status)
    code = str(data.get("CodeResult", "")).strip()
    said = " ".join(str(data.get("ErrorMessage") or data.get("error") or "").split())[:200]
    if code == "100":
        return "sent", str(data.get("SMSID") or "")
    if code == "124":
        return "duplicate", ""
    if code in NUMBER_ERRORS:
        return "refused", code
    if code in ACCOUNT_ERRORS:
        raise PermanentError(f"eSMS {code}: {ACCOUNT_ERRORS[code]} ({said})", status=status)
    if code == "103":
        log.warning("eSMS balance is too low to send: top the account up")
        raise TransientError("eSMS 103: balance too low", status=status, retry_after=BALANCE_RETRY)
    if (not code and "error" in data) or 400 <= status < 500:
        raise PermanentError(f"eSMS {status} rejected the request: {said}", status=status)
    raise TransientError(f"eSMS answered an unknown code {code!r}: {said}", status=status)


def request_id(delivery_id: int, numbers: tuple[str, ...]) -> str:
    """Same batch of the same delivery, same id (≤ 50 chars), whatever order batches go in."""
    if len(numbers) == 1:
        key = local_vn(numbers[0]).lstrip("+")
    else:
        key = hashlib.sha1(",".join(numbers).encode(), usedforsecurity=False).hexdigest()[:16]
    return f"loa-{delivery_id}-{key}"


class EsmsTransport(Transport):
    """Sends one Message as customer-care brandname SMS, `max_batch` numbers per request."""

    name: ClassVar[str] = "esms"
    kinds: ClassVar[tuple[str, ...]] = ("sms",)
    max_batch: ClassVar[int] = 1

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        super().__init__(target, session=session)
        self.url = http.http_url(target, "endpoint", target.endpoint or ESMS_URL)
        for field in ("api_key", "secret_key"):
            if not target.credentials.get(field):
                raise ConfigurationError(
                    f"target {target.id}: credentials.{field} must name an environment variable"
                )
        self.brandname = str(target.options.get("brandname") or "")
        if not self.brandname:
            raise ConfigurationError(f"target {target.id}: option brandname is required")
        self.sms_type = str(target.options.get("sms_type", "2"))
        self.sandbox = http.flag(target, "sandbox", False)
        callback = target.options.get("callback_url")
        self.callback = http.http_url(target, "option callback_url", callback) if callback else None
        self.batch_size = http.option_int(target, "max_batch", self.max_batch, 1, 100)
        self.max_segments = http.option_int(target, "max_segments", 10, 1, 20)

    def _keys(self) -> dict[str, str]:
        """ApiKey and SecretKey from the environment; PermanentError naming an unset variable."""
        keys = {}
        for field, key in (("api_key", "ApiKey"), ("secret_key", "SecretKey")):
            value = self.target.secret(field)
            if not value:
                var = self.target.credentials.get(field)
                raise PermanentError(f"esms target {self.target.id}: ${var} is not set")
            keys[key] = value
        return keys

    def _payload(self, message: Message, encoding: str, numbers: tuple[str, ...]) -> dict[str, str]:
        payload = {
            "Phone": ",".join(local_vn(n) for n in numbers),
            "Content": message.text,
            "Brandname": self.brandname,
            "SmsType": self.sms_type,
            "IsUnicode": "1" if encoding == "ucs2" else "0",
            "Sandbox": "1" if self.sandbox else "0",
        }
        if message.delivery_id is not None:
            payload["RequestId"] = request_id(message.delivery_id, numbers)
        if self.callback:
            payload["CallbackUrl"] = esms_callback_url(
                self.callback, message.delivery_id, message.dlr_sig
            )
        return payload

    def _post(self, payload: dict[str, str]) -> tuple[str, str]:
        try:
            response = self.session.post(
                self.url,
                data=json.dumps(payload, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as e:
            raise TransientError(f"eSMS did not answer: {type(e).__name__}") from e
        return classify(response.status_code, response.text, response.headers)

    def publish(self, message: Message) -> Receipt:
        """Send to every recipient; a failure after some batches carries `sent`."""
        try:
            numbers = check_numbers(message.recipients)
            encoding, segments = check_text(message.text, message.encoding, self.max_segments)
        except ValueError as e:
            raise PermanentError(f"esms target {self.target.id}: {e}") from e
        if message.delivery_id is None:
            log.warning(
                "esms %s: no delivery id, so no RequestId to dedupe a retry", self.target.id
            )
        groups = batches(numbers, self.batch_size)
        detail = self._send(message, encoding, groups)
        detail.update(batches=len(groups), segments=segments, encoding=encoding)
        return Receipt(remote_id=self._remote_id(message, numbers), status=200, detail=detail)

    def _send(
        self, message: Message, encoding: str, groups: list[tuple[str, ...]]
    ) -> dict[str, Any]:
        """Post each batch in turn; the receipt detail, or PermanentError if none got through."""
        keys = self._keys()
        sent: list[str] = []
        detail: dict[str, Any] = {"sms_ids": [], "duplicates": 0, "refused": {}}
        for index, group in enumerate(groups, 1):
            message.batch_start(group)
            try:
                verdict, value = self._post({**keys, **self._payload(message, encoding, group)})
            except ChannelError as e:
                log.warning("esms %s: batch %s/%s: %s", self.target.id, index, len(groups), e)
                message.batch_done(())
                raise partial(e, tuple(sent)) from e
            log.info("esms %s: batch %s/%s: %s", self.target.id, index, len(groups), verdict)
            _record(detail, verdict, value, group, sent)
            message.batch_done(() if verdict == "refused" else group)
        if not sent:
            codes = sorted(set(detail["refused"].values()))
            raise PermanentError(f"esms target {self.target.id}: eSMS refused every number {codes}")
        detail.update(recipients=len(sent), sandbox=self.sandbox)
        return detail

    def _remote_id(self, message: Message, numbers: tuple[str, ...]) -> str:
        if message.delivery_id is not None:
            return f"esms:{message.delivery_id}"
        digest = hashlib.sha1("\n".join((message.text, *numbers)).encode(), usedforsecurity=False)
        return f"esms:{digest.hexdigest()[:12]}"


def _record(
    detail: dict[str, Any], verdict: str, value: str, group: tuple[str, ...], sent: list[str]
) -> None:
    """Fold one batch's outcome into the receipt detail and the list of numbers that have it."""
    if verdict == "refused":
        detail["refused"].update(dict.fromkeys(group, value))
        return
    sent.extend(group)
    if verdict == "duplicate":
        detail["duplicates"] += len(group)
    elif value:
        detail["sms_ids"].append(value)
