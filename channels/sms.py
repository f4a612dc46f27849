"""An SMS: title and link within the segment budget, GSM-7 or UCS-2 chosen from the text."""

from __future__ import annotations

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
        context: Context = NO_CONTEXT,
    ) -> Message:
        opts = target.options
        prefix = str(opts.get("prefix", unit.name))
        link = web_url(item.link) or web_url(item.video_url) or ""  # no unsafe link slips out
        when = item.published.astimezone(TZ).strftime("%d/%m") if item.published else ""
        segments = int(opts.get("max_segments", self.max_segments))
        title = shorten(item.title, 160 * segments)  # no more could fit; compose stays quick
        head = nfc(" ".join(p for p in (f"[{prefix}]", when, title) if p))
        tail = f" {link}" if link else ""
        if not opts.get("diacritics", True):  # không dấu, typographic marks made plain: GSM-7
            head = to_gsm7(head)
        encoding = encoding_for(head + tail)
        text = compose(head, tail, segments, encoding)
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
