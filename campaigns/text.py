"""Text hygiene for everything a citizen reads: NFC, sanitised HTML, plain text, YouTube ids."""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import parse_qs, urljoin, urlparse

import nh3

_YT_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
_YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")

ALLOWED_TAGS = {
    "p",
    "br",
    "a",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}


def nfc(text: str | None) -> str:
    """NFC-normalise, so decomposed input (from Word, Zalo) renders and compares correctly."""
    return unicodedata.normalize("NFC", text or "")


_DIM = r"(?<![-\w])(?:width|height)"
_PIXEL = re.compile(
    r"<img\b[^>]*(?:"
    + _DIM
    + r"\s*=\s*[\"']?[01](?:px)?(?![\d.])"  # width="1" or height=0
    + r"|style\s*=\s*[\"'][^\"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|"
    + _DIM
    + r"\s*:\s*[01](?:px)?(?![\d.]))"  # hidden or 1px by CSS
    + r")[^>]*>",
    re.I,
)


def sanitise_html(fragment: str | None, base_url: str | None = None) -> str:
    """Clean feed HTML: no script, no handlers, no javascript: links, no tracking pixels."""

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if base_url and attribute in {"href", "src"}:
            return urljoin(base_url, value)
        return value

    return nh3.clean(
        _PIXEL.sub("", nfc(fragment)),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        attribute_filter=absolute,
    )


def plain_text(fragment: str | None) -> str:
    """HTML to one line of readable text, entities decoded."""
    return _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", nfc(fragment)))).strip()


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut at a word boundary so the result, ellipsis included, fits `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ellipsis), 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + ellipsis


def youtube_id(url: str) -> str | None:
    """The 11-character video id of a YouTube watch, share, shorts or embed URL."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    candidate: str | None = None
    if host == "youtu.be":
        candidate = parsed.path.lstrip("/").split("/")[0]
    elif host in _YT_HOSTS:
        if parsed.path == "/watch":
            candidate = parse_qs(parsed.query).get("v", [None])[0]
        elif parsed.path.startswith(("/embed/", "/shorts/", "/v/", "/live/")):
            candidate = parsed.path.split("/")[2]
    return candidate if candidate and _YT_ID.match(candidate) else None


def watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def embed_url(video_id: str) -> str:
    """Privacy-enhanced embed, which suits government sites."""
    return f"https://www.youtube-nocookie.com/embed/{video_id}"
