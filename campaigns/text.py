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
_BLOCKS = re.compile(r"<(script|style|template)\b[^>]*>.*?</\1\s*>", re.I | re.S)
# A tag as HTML spells one (an ASCII name), a comment or a declaration; "<trực tuyến>" and
# "phí < 100.000" are text.
_TAG_SHAPED = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:[\s/][^<>]*)?>|<[!?][^<>]*>", re.S)
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
WEB_SCHEMES = frozenset({"http", "https"})

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


def plain_text(fragment: str | None, *, entities: bool = True) -> str:
    """One line of readable text, never markup: the one place tags go and entities are decoded.

    Tags go, with the content of script and style blocks. `entities=True` reads `fragment` as
    HTML and decodes its entities once (markup they spelled, `&lt;b&gt;`, goes too);
    `entities=False` is for text that is already text (an Atom `type="text"` title, which
    feedparser hands over decoded), so an `&amp;` in it stays as written.
    """
    text = _TAG_SHAPED.sub(" ", _BLOCKS.sub(" ", nfc(fragment)))
    if entities:
        text = _TAG_SHAPED.sub(" ", _BLOCKS.sub(" ", html.unescape(text)))
    return _SPACE.sub(" ", text).strip()


def web_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) address with a host, else None: the one URL check.

    Everything else (javascript:, vbscript:, data:, file:, relative or scheme-less addresses,
    addresses with spaces or control characters) must never leave loa.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or _CONTROL.search(url):
        return None
    try:
        parsed = urlparse(url)
    except ValueError:
        return None
    if parsed.scheme.lower() not in WEB_SCHEMES or not parsed.hostname:
        return None
    return url


def cut_html(fragment: str, limit: int, more: str = "") -> str:
    """Clean HTML of at most `limit` characters: cut after a whole element, then tags closed.

    `more` (say a "…" paragraph) is appended when something was cut, within the limit.
    """
    if len(fragment) <= limit:
        return fragment
    room = max(limit - len(more) - 200, 0)  # nh3 may close up to a few open tags
    while True:
        cut = fragment[:room]
        end = cut.rfind(">")
        cut = cut[: end + 1] if end >= 0 else ""
        cleaned = sanitise_html(cut) + more
        if len(cleaned) <= limit or room == 0:
            return cleaned if len(cleaned) <= limit else more[:limit]
        room = max(room - (len(cleaned) - limit) - 200, 0)


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
