"""Puts a slide on an Anthias (Screenly OSE) player, playing only inside the slide's date window."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, ClassVar

import requests

from campaigns.model import Target
from channels import http
from channels.base import Message, Receipt, Transport
from channels.errors import ChannelError, ConfigurationError, PermanentError, TransientError

log = logging.getLogger(__name__)


class AnthiasTransport(Transport):
    """Uploads the PNG, then creates an image asset named after the Message's reference."""

    name: ClassVar[str] = "anthias"
    kinds: ClassVar[tuple[str, ...]] = ("screen",)
    can_lookup: ClassVar[bool] = True

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        super().__init__(target, session=session)
        self.base = http.base_url(target, require_https=False) + "/api/v2"
        user = http.secret(target, "username", required=False)
        password = http.secret(target, "password", required=False)
        if (user is None) != (password is None):
            raise ConfigurationError(
                f"target {target.id}: Basic auth needs both credentials.username and .password"
            )
        self.auth = (user, password) if user and password else None
        self.precheck = http.flag(target, "precheck", True)

    def publish(self, message: Message) -> Receipt:
        """Upload and create the asset; an asset already carrying the name is returned instead."""
        asset = _asset(message)
        if self.precheck and (found := self.lookup(message)) is not None:
            log.info("asset %s is already on %s", asset["name"], self.target.id)
            return found
        if _ended(asset["end_date"]):
            raise PermanentError(
                f"{self.target.id}: slide {asset['name']} was to be shown until"
                f" {asset['end_date']}, which has passed: not put on the player (raise the"
                " target's options.days to show late slides longer)"
            )
        slide = message.attachments[0]
        filename = asset["name"] + (".jpg" if slide.media_type == "image/jpeg" else ".png")
        upload = {"file_upload": (filename, slide.data, slide.media_type)}
        _, stored = self._call("POST", "/file_asset", "upload slide", files=upload)
        if not isinstance(stored, dict) or not isinstance(stored.get("uri"), str):
            raise TransientError(f"{self.target.id}: upload slide: the answer carries no uri")
        asset |= {"uri": stored["uri"], "ext": str(stored.get("ext") or ".png")}
        response, created = self._call("POST", "/assets", "create asset", json=asset)
        if not isinstance(created, dict) or not created.get("asset_id"):
            raise TransientError(f"{self.target.id}: create asset: the answer has no asset_id")
        detail: dict[str, Any] = {
            "name": created.get("name"),
            "is_active": created.get("is_active"),
        }
        if created.get("name") != asset["name"]:
            log.warning(
                "%s renamed asset %s to %s", self.target.id, asset["name"], created.get("name")
            )
            detail["warnings"] = [f"name became {created.get('name')}"]
        return Receipt(str(created["asset_id"]), status=response.status_code, detail=detail)

    def lookup(self, message: Message) -> Receipt | None:
        """The asset whose name is exactly the reference (not Anthias' `-1` copy), or None."""
        name = _asset(message)["name"]
        _, assets = self._call("GET", "/assets", "list assets")
        if not isinstance(assets, list):
            raise TransientError(f"{self.target.id}: list assets: the answer is not a list")
        for asset in assets:
            if isinstance(asset, dict) and asset.get("name") == name and asset.get("asset_id"):
                detail = {"name": name, "is_active": asset.get("is_active"), "found": True}
                return Receipt(str(asset["asset_id"]), status=200, detail=detail)
        return None

    def _call(self, method: str, path: str, what: str, **kw: Any) -> tuple[requests.Response, Any]:
        """One API call (never redirected); the answer's JSON, or its classified error."""
        response = http.send(
            self.session,
            method,
            self.base + path,
            timeout=self.timeout,
            auth=self.auth,
            allow_redirects=False,
            **kw,
        )
        what = f"{self.target.id}: {what}"
        if not 200 <= response.status_code < 300:
            raise _error(response, what)
        return response, http.json_of(response, what)


def _asset(message: Message) -> dict[str, Any]:
    """The create-asset fields a screen Message carries; PermanentError when one is missing."""
    body = message.body
    missing = [k for k in ("start_date", "end_date", "duration") if not body.get(k)]
    name = str(body.get("name") or message.reference)
    if missing or not name or not message.attachments:
        raise PermanentError(f"screen message {name!r} lacks {missing or 'its slide'}")
    return {
        "name": name,
        "mimetype": "image",
        "start_date": str(body["start_date"]),
        "end_date": str(body["end_date"]),
        "duration": int(body["duration"]),
        "is_enabled": True,
        "skip_asset_check": True,
    }


def _ended(end_date: str) -> bool:
    """Whether a window's end (ISO, naive taken as UTC as Anthias does) has passed."""
    try:
        end = dt.datetime.fromisoformat(end_date)
    except ValueError:
        return False  # the player names the bad field
    end = end if end.tzinfo else end.replace(tzinfo=dt.UTC)
    return end < dt.datetime.now(dt.UTC)


def _error(response: requests.Response, what: str) -> ChannelError:
    """A DRF 400 names the bad fields; 401/403 is the player's Basic auth; 404 an old player."""
    status = response.status_code
    body = http.json_or_none(response)
    if status == 400 and isinstance(body, dict):
        fields = "; ".join(f"{k}: {_text(v)}" for k, v in body.items())
        return PermanentError(f"{what}: rejected ({fields})", status=status)
    if status in (401, 403):
        return PermanentError(f"{what}: {status} (check the player's Basic auth)", status=status)
    if status == 404:
        return PermanentError(
            f"{what}: 404 (is this an Anthias player with /api/v2?)", status=status
        )
    return http.error_for(response, what, http.snippet(response))


def _text(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)
