"""Feed bytes to items: RSS 2.0, Atom and YouTube through feedparser, cleaned for citizens."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import feedparser

from campaigns.files import merge_topics
from campaigns.hygiene import check_item
from campaigns.model import Item, Source, item_key
from campaigns.text import nfc, plain_text, sanitise_html, shorten, watch_url, youtube_id

SUMMARY_LIMIT = 300
_SPACE = re.compile(r"\s+")
_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[,.;:!?…)\]»”])")
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=", re.I)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\"';\s]+)", re.I)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class FeedError(Exception):
    """The body is not a feed we can read; the message is one line for `loa status`."""


@dataclass(frozen=True)
class Parsed:
    """A feed's items, and one line for each entry that was skipped (the rest still count)."""

    items: tuple[Item, ...]
    skipped: tuple[str, ...] = ()


def parse(
    content: bytes, *, source: Source, base_url: str, content_type: str | None = None
) -> tuple[Item, ...]:
    """Items of an RSS, Atom or YouTube feed, one per key; raises FeedError when it is no feed."""
    return parse_feed(content, source=source, base_url=base_url, content_type=content_type).items


def parse_feed(
    content: bytes, *, source: Source, base_url: str, content_type: str | None = None
) -> Parsed:
    """`parse`, telling which entries could not be read: one bad entry never sinks the feed."""
    headers = {"content-type": _xml_type(content, content_type), "content-location": base_url}
    # sanitize_html=False: nh3 cleans HTML below, and YouTube descriptions must stay literal.
    parsed = feedparser.parse(io.BytesIO(content), response_headers=headers, sanitize_html=False)
    _refuse_mojibake(parsed)
    items: dict[str, Item] = {}
    skipped: list[str] = []
    for n, entry in enumerate(parsed.entries, start=1):
        try:
            item = to_item(entry, source, base_url)
        except Exception as e:  # one entry's bad date or value must not sink the others
            ident = entry.get("id") or entry.get("link") or f"number {n}"
            skipped.append(f"entry {str(ident)[:100]!r} skipped: {' '.join(str(e).split())}")
            continue
        if item is not None:
            items.setdefault(item.key, item)
    if not items and skipped:
        raise FeedError(f"no entry could be read; {skipped[0]}")
    if not items:
        _refuse(parsed, content, content_type)
    return Parsed(tuple(items.values()), tuple(skipped))


def _refuse_mojibake(parsed: Any) -> None:
    """Raise FeedError when the bytes are not in the encoding the feed declares (or UTF-8).

    feedparser then guesses another encoding and carries on, which turned one bad byte into
    `CáşŁi cĂĄch hĂ nh` published everywhere: such a feed is refused until it is fixed.
    """
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        raise FeedError(
            f"not valid text in its declared encoding ({' '.join(str(problem).split())}); "
            "nothing published until the feed is fixed"
        )


def _xml_type(content: bytes, content_type: str | None) -> str:
    """The media type to hand feedparser so wrong charset labels cannot garble Vietnamese.

    Valid UTF-8 is UTF-8, whatever the labels say (real single-byte text almost never is);
    otherwise the document's own <?xml encoding=…?> beats the server's default charset.
    """
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "application/xml; charset=utf-8"
    if _XML_ENCODING.match(content[:200]):
        return "application/xml"
    charset = _CHARSET.search(content_type or "")
    return f"application/xml; charset={charset.group(1)}" if charset else "application/xml"


def _refuse(parsed: Any, content: bytes, content_type: str | None) -> None:
    """Raise FeedError unless an entry-less result is a well-formed, empty feed."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if not parsed.get("version") and (
        mime in {"text/html", "application/xhtml+xml"}
        or _HTML_START.match(content[:1024].lstrip(b"\xef\xbb\xbf"))
    ):
        raise FeedError(f"not a feed: the server sent HTML ({mime or 'an HTML page'})")
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start:
        raise FeedError("not a feed: the body is empty")
    if not parsed.get("version") and not start.startswith(b"<"):
        raise FeedError(f"not a feed: the body is not XML ({mime or 'no content type'})")
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is not None and not isinstance(problem, _BENIGN):
        raise FeedError(_describe(problem, declared=start.startswith(b"<?xml")))
    if not parsed.get("version"):
        raise FeedError(f"not a feed: no RSS or Atom document found ({mime or 'no content type'})")


def _describe(problem: Exception, *, declared: bool) -> str:
    line = getattr(problem, "getLineNumber", None)
    message = getattr(problem, "getMessage", None)
    if callable(line) and callable(message):
        # feedparser puts an <?xml?> line in front of a document that has none
        return f"malformed XML at line {line() - (0 if declared else 1)}: {message()}"
    return f"unreadable feed: {' '.join(str(problem).split())}"


def to_item(entry: Any, source: Source, base_url: str) -> Item | None:
    """One feedparser entry as an Item (None if it has nothing to show); YouTube ones are videos."""
    link = _absolute(entry.get("link"), base_url)
    video_id = entry.get("yt_videoid")
    if isinstance(video_id, str) and youtube_id(watch_url(video_id.strip())):
        return _video(entry, source, video_id.strip(), link)
    return _article(entry, source, link or base_url, link)


def _video(entry: Any, source: Source, video_id: str, link: str | None) -> Item:
    # media:description arrives as `summary` typed text/html, but it is plain text: escape it.
    description = "\n".join(line.rstrip() for line in nfc(entry.get("summary")).splitlines())
    thumbnails = entry.get("media_thumbnail") or []
    image = next((t.get("url") for t in thumbnails if t.get("url")), None)
    paragraph = html.escape(description.strip()).replace("\n", "<br>\n")
    return check_item(
        Item(
            key=f"{source.id}:yt:{video_id}",
            guid=f"yt:{video_id}",
            kind="video",
            title=_title(entry),
            summary=shorten(_SPACE.sub(" ", description).strip(), SUMMARY_LIMIT),
            body_html=f"<p>{paragraph}</p>" if description.strip() else "",
            link=link or watch_url(video_id),
            video_url=watch_url(video_id),
            image_url=image or f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
            published=_published(entry),
            topics=merge_topics(source, []),
            source=source.id,
        )
    )


def _article(entry: Any, source: Source, base: str, link: str | None) -> Item | None:
    summary_html = entry.get("summary") or ""
    content = next((c.get("value") for c in entry.get("content") or [] if c.get("value")), None)
    body_html = sanitise_html(content or summary_html, base_url=base)
    summary = _plain(sanitise_html(summary_html) if summary_html else body_html)
    title = _title(entry) or shorten(summary, 100)
    if not title:
        return None  # an entry cut short, or an empty one: nothing to publish
    tags = entry.get("tags") or []
    guid = _entry_id(entry, link, title)
    return check_item(
        Item(
            key=item_key(source.id, guid),
            guid=guid,
            kind="article",
            title=title,
            summary=shorten(summary, SUMMARY_LIMIT),
            body_html=body_html,
            link=link,
            image_url=_image(entry, base),
            published=_published(entry),
            topics=merge_topics(source, [t.get("label") or t.get("term") or "" for t in tags]),
            source=source.id,
        )
    )


def _entry_id(entry: Any, link: str | None, title: str) -> str:
    """The guid or Atom id, else the absolute link, else a digest of the title."""
    ident = entry.get("id")
    if isinstance(ident, str) and ident.strip():
        return ident.strip()
    if link:
        return link
    return "title:" + hashlib.sha256(title.encode()).hexdigest()[:16]


def _title(entry: Any) -> str:
    detail = entry.get("title_detail") or {}
    value = nfc(entry.get("title"))
    if "html" in (detail.get("type") or ""):
        return _plain(sanitise_html(value))
    return plain_text(value, entities=False)  # feedparser has decoded a text title already


def _plain(fragment: str) -> str:
    """plain_text, minus the space it leaves where a tag met punctuation ("<b>x</b>, y")."""
    return _BEFORE_PUNCTUATION.sub("", plain_text(fragment))


def _image(entry: Any, base: str) -> str | None:
    """The first image among media:content, enclosures and media:thumbnail."""
    for media in entry.get("media_content") or []:
        kind = (media.get("type") or "") + " " + (media.get("medium") or "")
        if media.get("url") and "image" in kind:
            return _absolute(media["url"], base)
    for enclosure in entry.get("enclosures") or []:
        if enclosure.get("href") and (enclosure.get("type") or "").startswith("image/"):
            return _absolute(enclosure["href"], base)
    for thumb in entry.get("media_thumbnail") or []:
        if thumb.get("url"):
            return _absolute(thumb["url"], base)
    return None


def _published(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
    return None


def _absolute(url: Any, base: str) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return None
    return urljoin(base, url.strip())
