"""A Zalo OA article: title, author, description trimmed to Zalo's limits, a cover always set."""

from __future__ import annotations

import html
from typing import ClassVar

from campaigns.model import Item, Target, Unit
from campaigns.text import shorten
from channels.base import Message
from channels.website import reference

DEFAULT_COVER = "https://dongnai.gov.vn/loa/cover-cchc.jpg"


class ZaloFormat:
    kind: ClassVar[str] = "zalo"
    max_title: ClassVar[int] = 150
    max_author: ClassVar[int] = 50
    max_description: ClassVar[int] = 300

    def format(
        self, item: Item, unit: Unit, target: Target, *, recipients: tuple[str, ...] = ()
    ) -> Message:
        title = shorten(item.title, self.max_title)
        blocks: list[dict[str, str]] = [
            {"type": "text", "content": item.body_html or f"<p>{html.escape(item.summary)}</p>"}
        ]
        link = item.video_url or item.link
        if link:
            label = "Xem video" if item.video_url else "Xem chi tiết"
            href = html.escape(link)
            blocks.append({"type": "text", "content": f'<p><a href="{href}">{label}</a></p>'})
        cover = item.image_url or str(target.options.get("cover_url", DEFAULT_COVER))
        body: dict[str, object] = {
            "type": "normal",
            "title": title,
            "author": shorten(str(target.options.get("author", unit.name)), self.max_author),
            "cover": {"cover_type": "photo", "photo_url": cover, "status": "show"},
            "description": shorten(item.summary or item.title, self.max_description),
            "body": blocks,
            "status": str(target.options.get("status", "show")),
            "comment": "show",
        }
        return Message(
            kind=self.kind,
            title=title,
            text=item.summary,
            body=body,
            reference=reference(item, target),
            link=link,
        )
