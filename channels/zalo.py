"""A Zalo OA article: title, author, description trimmed to Zalo's limits, a cover always set."""

from __future__ import annotations

import datetime as dt
import html
from typing import ClassVar

from campaigns.model import Item, Target, Unit
from campaigns.text import cut_html, sanitise_html, shorten, web_url
from channels.base import NO_CONTEXT, Context, Message
from channels.website import reference

DEFAULT_COVER = "https://dongnai.gov.vn/loa/cover-cchc.jpg"


class ZaloFormat:
    kind: ClassVar[str] = "zalo"
    max_title: ClassVar[int] = 150
    max_author: ClassVar[int] = 50
    max_description: ClassVar[int] = 300
    max_body: ClassVar[int] = 100_000
    """Characters of body HTML. Zalo publishes no limit; loa's cap keeps a request small."""

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
        video = web_url(item.video_url)  # checked at ingest; checked again, as no link may slip
        link = video or web_url(item.link)
        more = ""
        if link:
            label = "Xem video" if video else "Xem chi tiết"
            more = f'<p><a href="{html.escape(link)}">{label}</a></p>'
        text = sanitise_html(item.body_html) if item.body_html else ""
        text = cut_html(text, self.max_body - len(more), "<p>…</p>")
        blocks = [{"type": "text", "content": text or f"<p>{html.escape(item.summary)}</p>"}]
        if more:
            blocks.append({"type": "text", "content": more})
        cover = (
            web_url(item.image_url)
            or web_url(str(target.options.get("cover_url", DEFAULT_COVER)))
            or DEFAULT_COVER
        )
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
