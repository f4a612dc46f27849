"""An agency website post: sanitised article HTML with YouTube videos as privacy-mode embeds."""

from __future__ import annotations

import hashlib
import html
from typing import ClassVar

from campaigns.model import Item, Target, Unit
from campaigns.text import embed_url, shorten, watch_url
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

    def format(
        self, item: Item, unit: Unit, target: Target, *, recipients: tuple[str, ...] = ()
    ) -> Message:
        parts = []
        if item.video_id:
            parts.append(video_html(item.video_id, item.title))
        if item.body_html:
            parts.append(item.body_html)
        elif item.summary:
            parts.append(f"<p>{html.escape(item.summary)}</p>")
        if item.link and not item.video_id:
            parts.append(
                f'<p>Nguồn: <a href="{html.escape(item.link)}">{html.escape(item.link)}</a></p>'
            )
        slug = reference(item, target, str(target.options.get("slug_prefix", "loa")))
        body: dict[str, object] = {
            "title": item.title,
            "content": "\n".join(parts),
            "excerpt": shorten(item.summary, self.max_excerpt),
            "slug": slug,
            "categories": list(target.options.get("categories", [])) + list(item.topics),
            "status": str(target.options.get("status", "publish")),
        }
        return Message(
            kind=self.kind,
            title=item.title,
            text=item.summary,
            body=body,
            reference=slug,
            link=item.link or item.video_url,
        )
