"""An agency website post: sanitised article HTML with YouTube videos as privacy-mode embeds."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from typing import ClassVar

from campaigns.model import Item, Target, Unit
from campaigns.text import cut_html, embed_url, sanitise_html, shorten, watch_url, web_url
from channels.base import Message


def reference(item: Item, target: Target, prefix: str = "loa") -> str:
    """A deterministic slug for (item, target): the same post always gets the same reference."""
    digest = hashlib.sha1(f"{item.key}|{target.id}".encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}-{digest[:12]}"


def video_html(video_id: str, title: str) -> str:
    """An embed plus the bare watch link on its own line (WordPress auto-embeds that)."""
    src = embed_url(video_id)
    return (
        f'<figure class="loa-video"><iframe width="960" height="540" src="{src}" '
        f'title="{html.escape(title)}" loading="lazy" allowfullscreen '
        f'referrerpolicy="strict-origin-when-cross-origin"></iframe></figure>\n'
        f"<p>{watch_url(video_id)}</p>"
    )


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
    ) -> Message:
        title = shorten(item.title, self.max_title)
        link = web_url(item.link)  # checked at ingest; checked again, as no link may slip out
        parts = []
        if item.video_id:
            parts.append(video_html(item.video_id, title))
        if link and not item.video_id:
            source = f'<p>Nguồn: <a href="{html.escape(link)}">{html.escape(link)}</a></p>'
        else:
            source = ""
        if item.body_html:
            room = self.max_content - sum(len(p) + 1 for p in parts) - len(source)
            parts.append(cut_html(sanitise_html(item.body_html), room, "<p>…</p>"))
        elif item.summary:
            parts.append(f"<p>{html.escape(item.summary)}</p>")
        if source:
            parts.append(source)
        slug = reference(item, target, str(target.options.get("slug_prefix", "loa")))
        body: dict[str, object] = {
            "title": title,
            "content": "\n".join(parts),
            "excerpt": shorten(item.summary, self.max_excerpt),
            "slug": slug,
            "categories": list(target.options.get("categories", [])) + list(item.topics),
            "status": str(target.options.get("status", "publish")),
        }
        return Message(
            kind=self.kind,
            title=title,
            text=item.summary,
            body=body,
            reference=slug,
            link=link or web_url(item.video_url),
        )
