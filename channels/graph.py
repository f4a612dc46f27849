"""Posts to a Facebook Page through the Graph API with a Page token; errors read by `error.code`."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import requests

from campaigns.model import Target
from channels import http
from channels.base import Message, Receipt, Transport
from channels.errors import ConfigurationError, HeldError, PermanentError, TransientError

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://graph.facebook.com"
DEFAULT_VERSION = "v24.0"
_VERSION = re.compile(r"^v\d+\.0$")

RATE_LIMITS = frozenset({4, 17, 32, 80001, 613})
"""App, user, Page (user token), Page BUC (Page token) and custom limits: back off."""
SERVICE_ERRORS = frozenset({1, 2})
PERMANENT = frozenset({10, 100, 190, *range(200, 300)})
HELD = 368
DUPLICATE = 506

FLOOR = 60.0
"""Seconds to wait after a rate limit when no usage header says how long."""
SLOW_AT = 90.0
"""Percent of a rolling-hour quota at which we slow down (channels.md: at 80-90 %, stop at 100)."""
FULL_PAUSE = 900.0
"""Seconds to pause at 100 % when Graph gives no regain time: a quarter of the rolling hour."""


class GraphTransport(Transport):
    """One Page post per Message: /feed for text and link, /photos when there is an image."""

    name: ClassVar[str] = "graph"
    kinds: ClassVar[tuple[str, ...]] = ("facebook",)
    can_lookup: ClassVar[bool] = False

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        super().__init__(target, session=session)
        endpoint = target.endpoint or DEFAULT_ENDPOINT
        self.base = http.base_url(dataclasses.replace(target, endpoint=endpoint))
        self.page_id = str(target.options.get("page_id") or "").strip()
        if not self.page_id.isdigit():
            raise ConfigurationError(
                f"target {target.id}: options.page_id must be the Page's numeric id"
            )
        self.version = str(target.options.get("api_version", DEFAULT_VERSION))
        if not _VERSION.match(self.version):
            raise ConfigurationError(
                f"target {target.id}: options.api_version must look like "
                f"{DEFAULT_VERSION}, got {self.version!r}"
            )
        self._token = http.secret(target, "page_token") or ""

    def publish(self, message: Message) -> Receipt:
        """Post once; raises TransientError, HeldError (368) or PermanentError. 506 is success."""
        link = message.body.get("link")
        data = {"message": str(message.body.get("message", message.text))}
        files = None
        if message.attachments:
            edge, image = "photos", message.attachments[0]
            files = {"source": (image.filename, image.data, image.media_type)}
            if link and str(link) not in data["message"]:
                data["message"] += f"\n\n{link}"  # /photos takes no link: keep it in the caption
        else:
            edge = "feed"
            if link:
                data["link"] = str(link)
        url = f"{self.base}/{self.version}/{self.page_id}/{edge}"
        headers = {"Authorization": f"Bearer {self._token}"}
        response = http.send(
            self.session, "POST", url, timeout=self.timeout, data=data, files=files, headers=headers
        )
        return self.outcome(response, edge, message)

    def outcome(self, response: requests.Response, edge: str, message: Message) -> Receipt:
        """What an answer means: a Receipt, or the error to raise."""
        body = http.json_or_none(response)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            return self.failure(response, body["error"], message)
        if not response.ok:
            raise http.error_for(response, f"Graph {edge}")
        if not isinstance(body, dict) or not (body.get("post_id") or body.get("id")):
            raise TransientError(
                f"Graph {edge}: HTTP {response.status_code} without a post id",
                status=response.status_code,
            )
        post = str(body.get("post_id") or body["id"])
        detail: dict[str, Any] = {"edge": edge}
        if body.get("post_id") and body.get("id"):
            detail["photo_id"] = str(body["id"])
        percent, regain = usage(response.headers)
        if percent >= SLOW_AT:
            detail["throttle_seconds"] = regain or pressure(percent)
            log.warning(
                "Page %s is at %s%% of its Graph quota: slowing down for %ss",
                self.page_id,
                percent,
                detail["throttle_seconds"],
            )
        log.info("published %s to Page %s as %s", message.reference, self.page_id, post)
        return Receipt(
            remote_id=post, url=post_url(post), status=response.status_code, detail=detail
        )

    def failure(
        self, response: requests.Response, error: Mapping[str, Any], message: Message
    ) -> Receipt:
        """Raise the error a Graph error object means (or accept a 506 duplicate as published)."""
        status = response.status_code
        code = _int(error.get("code"))
        subcode = _int(error.get("error_subcode"))
        text = (
            f"Graph error {code}"
            + (f"/{subcode}" if subcode else "")
            + f" (HTTP {status}): {self.scrub(str(error.get('message', '')))[:300]}"
        )
        if code == DUPLICATE:
            log.warning(
                "Graph says %s is a duplicate: treating it as already published", message.reference
            )
            return Receipt(
                remote_id=f"duplicate:{message.reference}",
                status=status,
                detail={"duplicate": True, "code": code},
            )
        if code == HELD:
            raise HeldError(text + ": the Page is blocked for a policy violation", status=status)
        if code in RATE_LIMITS:
            raise TransientError(text, retry_after=max(FLOOR, wait(response)), status=status)
        if code in SERVICE_ERRORS or error.get("is_transient") is True:
            raise TransientError(text, retry_after=wait(response) or None, status=status)
        if code in PERMANENT or 400 <= status < 500:
            raise PermanentError(text, status=status)
        raise TransientError(text, retry_after=wait(response) or None, status=status)

    def scrub(self, text: str) -> str:
        """Server text with our token blanked, in case an error message ever echoes it."""
        return text.replace(self._token, "***") if self._token else text


def usage(headers: Mapping[str, str]) -> tuple[float, float]:
    """Highest quota use in percent, and seconds until access returns, from both usage headers."""
    percent, regain = 0.0, 0.0
    entries: list[Any] = []
    buc = _header_json(headers, "X-Business-Use-Case-Usage")
    if isinstance(buc, dict):
        for value in buc.values():
            entries.extend(value if isinstance(value, list) else [value])
    entries.append(_header_json(headers, "X-App-Usage"))
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        for key in ("call_count", "total_time", "total_cputime"):
            percent = max(percent, _float(entry.get(key)))
        regain = max(regain, 60.0 * _float(entry.get("estimated_time_to_regain_access")))
    return percent, regain


def pressure(percent: float) -> float:
    """Seconds to pause at this share of an hourly quota: 60 s at 90 %, +60 a point, 900 at 100."""
    if percent < SLOW_AT:
        return 0.0
    if percent >= 100:
        return FULL_PAUSE
    return 60.0 * (percent - SLOW_AT + 1)


def wait(response: requests.Response) -> float:
    """Seconds the headers ask for: Retry-After, else the BUC regain time, else quota pressure."""
    percent, regain = usage(response.headers)
    return http.retry_after(response) or regain or pressure(percent)


def post_url(post_id: str) -> str | None:
    page, _, post = post_id.partition("_")
    return f"https://www.facebook.com/{page}/posts/{post}" if post else None


def _header_json(headers: Mapping[str, str], name: str) -> Any:
    try:
        return json.loads(headers.get(name) or "null")
    except ValueError:
        return None


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
