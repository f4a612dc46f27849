"""An agency website post: sanitised article HTML with YouTube videos as privacy-mode embeds."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from typing import Any, ClassVar

from campaigns.model import Item, Target, Unit
from campaigns.text import cut_html, plain_text, sanitise_html, shorten, web_url
from campaigns.topics import topic_label
from channels.base import NO_CONTEXT, Context, Message
from channels.webhtml import embed_bare_urls, paragraphs, video_html

__all__ = ["WebsiteFormat", "reference", "video_html"]

POST_DATES = ("publish", "item")
"""`post_date`: the time WordPress publishes it (default), or the item's own date."""
COMMENT_STATUSES = ("closed", "open")
_URL = re.compile(r"https?://\S+")


def reference(item: Item, target: Target, prefix: str = "loa") -> str:
    """A deterministic slug for (item, target): the same post always gets the same reference."""
    digest = hashlib.sha1(f"{item.key}|{target.id}".encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}-{digest[:12]}"


def excerpt(item: Item, limit: int) -> str:
    """The summary; without one, the body's words (links left out), else the title: never a
    bare URL, which WordPress would otherwise make the excerpt of a post with no text."""
    for given in (item.summary, _URL.sub(" ", plain_text(item.body_html)), item.title):
        text = " ".join(given.split())
        if text:
            return shorten(text, limit)
    return ""


def image_of(item: Item, title: str) -> dict[str, str] | None:
    """The featured image to upload, when it is a web address. A file beside a Markdown
    article never leaves loa as an address: the worker reads it and attaches its bytes."""
    url = web_url(item.image_url)
    return {"url": url, "alt": title} if url else None


def categories(item: Item, target: Target, context: Context) -> tuple[list[str], dict[str, str]]:
    """The target's categories, then the item's topics; each topic with the name it is shown
    by, so a site can match it by name and a missing one can be created under that name."""
    wanted = list(dict.fromkeys([*map(str, target.options.get("categories", [])), *item.topics]))
    names = {t: topic_label(t, context.topic_names) for t in wanted}
    return wanted, names


class WebsiteFormat:
    kind: ClassVar[str] = "website"
    max_excerpt: ClassVar[int] = 300
    max_title: ClassVar[int] = 500
    """WordPress keeps a title of any length; loa's ingest cap, held here for older items."""
    max_content: ClassVar[int] = 2_000_000
    """Characters of content: even at 4 bytes each, below PHP's default post_max_size (8 MB)."""

    def format(
        self,
        item: Item,
        unit: Unit,
        target: Target,
        *,
        recipients: tuple[str, ...] = (),
        due: dt.datetime | None = None,
        context: Context = NO_CONTEXT,
    ) -> Message:
        title = shorten(item.title, self.max_title)
        link = web_url(item.link)  # checked at ingest; checked again, as no link may slip out
        slug = reference(item, target, str(target.options.get("slug_prefix", "loa")))
        wanted, names = categories(item, target, context)
        body: dict[str, Any] = {
            "title": title,
            "content": self.content(item, title, link),
            "excerpt": excerpt(item, self.max_excerpt),
            "slug": slug,
            "categories": wanted,
            "category_names": names,
            "status": str(target.options.get("status", "publish")),
            "comment_status": str(target.options.get("comment_status", "closed")),
        }
        if target.options.get("post_date") == "item" and item.published is not None:
            when = item.published.astimezone(dt.UTC).replace(tzinfo=None)
            body["date_gmt"] = when.isoformat(timespec="seconds")
        image = image_of(item, title)
        if image is not None:
            body["featured_image"] = image
        return Message(
            kind=self.kind,
            title=title,
            text=item.summary,
            body=body,
            reference=slug,
            link=link or web_url(item.video_url),
        )

    def content(self, item: Item, title: str, link: str | None) -> str:
        """The post's HTML: the player, the article (every text in a paragraph, every lone
        YouTube URL a privacy-mode player), then the source link of an article."""
        parts = [video_html(item.video_id, title)] if item.video_id else []
        source = ""
        if link and not item.video_id:
            source = f'<p>Nguồn: <a href="{html.escape(link)}">{html.escape(link)}</a></p>'
        if item.body_html:
            room = self.max_content - sum(len(p) + 1 for p in parts) - len(source)
            body = paragraphs(cut_html(sanitise_html(item.body_html), room, "<p>…</p>"))
            parts.append(embed_bare_urls(body, title, skip=item.video_id))
        elif item.summary:
            parts.append(f"<p>{html.escape(item.summary)}</p>")
        if source:
            parts.append(source)
        return "\n".join(p for p in parts if p)
