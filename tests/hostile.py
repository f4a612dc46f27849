"""Hostile content and a way to see everything every format would send for an item."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

import channels.slide as slide
from campaigns.model import TZ, Item, Target, Unit
from channels.registry import FORMATS

DUE = dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ)
"""When the deliveries these formats stand for are due (a slide's window starts then)."""
UNIT = Unit("bien-hoa", "UBND Thành phố Biên Hòa", "district")
BAD_URLS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(2)",
    "vbscript:msgbox(3)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
)
# What must never leave loa: a scheme other than http(s) (mailto: and tel: only in body HTML).
_URL_ATTR = re.compile(r"""(?:href|src|url)\s*=\s*["']?\s*([^"'\s>]+)""", re.I)
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.I)
_MARKUP = re.compile(r"<\s*/?\s*[a-z!][^>]*>", re.I)
_DANGER = re.compile(r"javascript:|vbscript:|data:text/html|file:|onerror|<script", re.I)


def target(kind: str) -> Target:
    return Target(f"bien-hoa/{kind}", "bien-hoa", kind, "outbox")


def outputs(item: Item, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """Per kind: the message's text, link, JSON body and (for screens) the QR payload."""
    payloads: list[str | None] = []
    real = slide.render_slide

    def spy(content: slide.SlideContent, size: tuple[int, int]) -> bytes:
        payloads.append(content.qr_url)
        return real(content, size)

    monkeypatch.setattr(slide, "render_slide", spy)
    seen: dict[str, dict[str, Any]] = {}
    for cls in FORMATS:
        kind, fmt = cls.kind, cls()
        payloads.clear()
        msg = fmt.format(item, UNIT, target(kind), recipients=("84912000001",), due=DUE)
        seen[kind] = {
            "title": msg.title,
            "text": msg.text,
            "link": msg.link,
            "body": json.loads(json.dumps(msg.body, ensure_ascii=False)),
            "qr": payloads[0] if payloads else None,
        }
    return seen


def bad_links(text: str, *, html: bool) -> list[str]:
    """Every link in `text` whose scheme is not http(s) (mailto:/tel: allowed in body HTML)."""
    allowed = {"http", "https", "mailto", "tel"} if html else {"http", "https"}
    found = [m.group(1) for m in _URL_ATTR.finditer(text)] if html else [text]
    bad = []
    for url in found:
        scheme = _SCHEME.match(url)
        if scheme and scheme.group(1).lower() not in allowed:
            bad.append(url)
    return bad


def problems(seen: dict[str, dict[str, Any]]) -> list[str]:
    """What in the formatted outputs is a non-http(s) link, or markup in a plain-text field."""
    found: list[str] = []
    for kind, out in seen.items():
        for name in ("link", "qr"):
            if out[name] is not None:
                found += [f"{kind}.{name}: {u}" for u in bad_links(out[name], html=False)]
        for name in ("title", "text"):
            if _MARKUP.search(out[name]) or _DANGER.search(out[name]):
                found.append(f"{kind}.{name} has markup: {out[name][:120]!r}")
        found += [f"{kind}.{path}: {v!r}" for path, v in _walk(kind, out["body"])]
    return found


_PLAIN_KEYS = {"title", "excerpt", "message", "text", "description", "author", "name"}
_URL_KEYS = {"link", "photo_url", "url"}


def _walk(kind: str, value: Any, path: str = "body") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            where = f"{path}.{key}"
            if isinstance(sub, str) and key in _PLAIN_KEYS:
                if _MARKUP.search(sub) or _DANGER.search(sub):
                    found.append((where, sub[:120]))
            elif isinstance(sub, str) and key in _URL_KEYS:
                found += [(where, u) for u in bad_links(sub, html=False)]
            elif isinstance(sub, str):
                found += [(where, u) for u in bad_links(sub, html=True)]
                if re.search(r"<script|javascript:|vbscript:|data:text/html", sub, re.I):
                    found.append((where, sub[:120]))
            else:
                found += _walk(kind, sub, where)
    elif isinstance(value, list):
        for n, sub in enumerate(value):
            found += _walk(kind, sub, f"{path}[{n}]")
    return found
