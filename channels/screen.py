"""A public-screen slide: 1920x1080 (or portrait 1080x1920) PNG, shown for a set window.

The window starts when the delivery is due (not when the item was published: a slide held
by a cron schedule, `cap_per_day` or approval would otherwise have ended before it was sent)
and lasts `days`; the slide's date line is that day too."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from campaigns.model import TZ, Item, Target, Unit
from campaigns.text import shorten, web_url
from channels.base import NO_CONTEXT, Attachment, Context, Message
from channels.website import reference

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


class ScreenFormat:
    kind: ClassVar[str] = "screen"
    default_duration: ClassVar[int] = 15
    default_days: ClassVar[int] = 14
    max_title: ClassVar[int] = 300
    """Characters of title laid out: a slide shows fewer, and layout time grows with length."""
    max_summary: ClassVar[int] = 600

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
        # Lazy: channels.slide loads Pillow, qrcode and the fonts (tens of ms), which every
        # `loa` command would pay through the registry though only screen deliveries need them.
        from channels.slide import SlideContent, render_slide  # noqa: PLC0415

        opts = target.options
        link = web_url(item.link) or web_url(item.video_url)  # the QR code carries no other
        size = SIZES[str(opts.get("orientation", "landscape"))]
        start = due or item.published  # the worker always passes the delivery's due time
        if start is None:
            raise ValueError(f"screen slide for {item.key}: give its due time (no item date)")
        content = SlideContent(
            title=shorten(item.title, self.max_title),
            summary=shorten(item.summary, self.max_summary),
            unit_name=unit.name,
            date_text=start.astimezone(TZ).strftime("%d/%m/%Y"),
            qr_url=link,
            agency=unit.agency_line,
            parent_agency=unit.parent_agency,
            video=bool(link) and link == web_url(item.video_url),
        )
        png = render_slide(content, size)
        name = reference(item, target)
        end = start + dt.timedelta(days=int(opts.get("days", self.default_days)))
        body: dict[str, object] = {
            "name": name,
            "title": item.title,
            "start_date": start.astimezone(dt.UTC).isoformat(),
            "end_date": end.astimezone(dt.UTC).isoformat(),
            "duration": int(opts.get("duration", self.default_duration)),
        }
        return Message(
            kind=self.kind,
            title=item.title,
            text=item.summary,
            body=body,
            attachments=(Attachment(f"{name}.png", "image/png", png),),
            reference=name,
            link=link,
            due=due,
        )
