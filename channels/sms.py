"""An SMS: title and link within the segment budget, GSM-7 or UCS-2 chosen from the text."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from campaigns.model import TZ, Item, Target, Unit
from campaigns.text import nfc, shorten, web_url
from channels.base import NO_CONTEXT, Context, Message
from channels.smstext import ELLIPSIS, count_segments, encoding_for, fit, to_gsm7
from channels.website import reference


def compose(head: str, tail: str, max_segments: int, encoding: str) -> str:
    """Shorten the head word by word so the tail (the link) always survives within the budget."""
    if count_segments(head + tail, encoding) <= max_segments:
        return head + tail
    words = head.split(" ")
    while len(words) > 2:
        words.pop()
        candidate = " ".join(words).rstrip(" ,.;:-") + ELLIPSIS + tail
        if count_segments(candidate, encoding) <= max_segments:
            return candidate
    return fit(head + tail, max_segments, encoding)


def prefix_of(unit: Unit, target: Target) -> str:
    """Who the SMS is from: the target's `prefix` ("{unit}" in it stands for the unit's short
    name), else the unit's `short_name`, else its name; one target for many units (a
    `units: {kind: district}` line) thus names each district, not one for all."""
    own = unit.short_name or unit.name
    given = target.options.get("prefix")
    if given is None or str(given).strip() == "":
        return own
    return str(given).replace("{unit}", own)


class SmsFormat:
    kind: ClassVar[str] = "sms"
    max_segments: ClassVar[int] = 3

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
        opts = target.options
        link = web_url(item.link) or web_url(item.video_url) or ""  # no unsafe link slips out
        when = item.published.astimezone(TZ).strftime("%d/%m") if item.published else ""
        segments = int(opts.get("max_segments", self.max_segments))
        title = shorten(item.title, 160 * segments)  # no more could fit; compose stays quick
        head = nfc(" ".join(p for p in (f"[{prefix_of(unit, target)}]", when, title) if p))
        if not opts.get("diacritics", True):  # không dấu, typographic marks made plain: GSM-7
            head = to_gsm7(head)
        text, encoding = best(head, link, web_url(context.short_link) or "", segments)
        return Message(
            kind=self.kind,
            title=item.title,
            text=text,
            body={"text": text},
            reference=reference(item, target),
            link=link or None,
            segments=count_segments(text, encoding),
            encoding=encoding,
            recipients=tuple(recipients),
        )


def best(head: str, link: str, short: str, segments: int) -> tuple[str, str]:
    """The text with the long link, or with the short one when that costs fewer parts: the
    article's own address is kept wherever a short link saves nothing."""
    tail = f" {link}" if link else ""
    encoding = encoding_for(head + tail)
    text = compose(head, tail, segments, encoding)
    if not short or short == link:
        return text, encoding
    short_encoding = encoding_for(head + f" {short}")
    short_text = compose(head, f" {short}", segments, short_encoding)
    if count_segments(short_text, short_encoding) < count_segments(text, encoding):
        return short_text, short_encoding
    return text, encoding
