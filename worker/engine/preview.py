"""Show exactly what each delivery would publish, before an operator approves it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from channels.base import Message
from channels.names import stem, target_folder
from channels.outbox import EXTENSIONS, render
from channels.registry import formatter
from worker.engine.context import context_for
from worker.engine.delivery import as_item, build_message, resume
from worker.engine.runtime import Runtime
from worker.store.filters import Filters
from worker.store.models import ContentItem, Delivery

DEFAULT_SMS_PRICE = 800.0  # VND per segment, a typical brandname rate; set sms_price in loa.yaml


@dataclass(frozen=True)
class SmsCost:
    recipients: int
    segments_with_marks: int
    segments_without_marks: int
    price: float

    def cost(self, segments: int) -> float:
        return segments * self.recipients * self.price


@dataclass(frozen=True)
class Preview:
    delivery: Delivery
    message: Message
    file: Path | None
    sms: SmsCost | None


def sms_cost(rt: Runtime, d: Delivery, item: ContentItem, message: Message) -> SmsCost:
    """Segments of the same SMS with and without diacritics, and what each would cost."""
    target = rt.config.targets[d.target]
    unit = rt.config.units[d.unit]

    context = context_for(rt, d, item, target)  # the same short link as the message itself

    def segments(marks: bool) -> int:
        variant = dataclasses.replace(target, options={**target.options, "diacritics": marks})
        variant_message = formatter("sms").format(
            as_item(item), unit, variant, recipients=message.recipients, context=context
        )
        return variant_message.segments

    price = float(rt.setting("sms_price", default=DEFAULT_SMS_PRICE))
    return SmsCost(len(message.recipients), segments(True), segments(False), price)


def previews(
    rt: Runtime, filters: Filters, states: tuple[str, ...], ids: list[int], out: Path | None
) -> Iterator[Preview]:
    with rt.sessions() as s:
        q = select(Delivery, ContentItem).join(ContentItem, ContentItem.id == Delivery.item_id)
        q = (
            q.where(Delivery.id.in_(ids))
            if ids
            else filters.apply(q).where(Delivery.state.in_(states))
        )
        rows = [(r[0], r[1]) for r in s.execute(q.order_by(Delivery.id))]
    for d, item in rows:
        if d.target not in rt.config.targets:
            continue
        message = resume(build_message(rt, d, item), d.progress or {})  # the numbers still to send
        path = None
        if out is not None:
            folder = out / target_folder(rt.config.targets[d.target])
            path = folder / f"{stem(message)}.{EXTENSIONS[d.channel]}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(render(message))
        cost = sms_cost(rt, d, item, message) if d.channel == "sms" else None
        yield Preview(d, message, path, cost)


def describe(p: Preview) -> list[str]:
    """Lines for the terminal: the text a citizen would read, and where the files are."""
    d, m = p.delivery, p.message
    lines = [f"#{d.id} {d.campaign} {d.unit} {d.channel} ({d.target}): {m.title}"]
    if p.sms is not None:
        c = p.sms
        lines.append(
            f"  SMS {m.encoding}, {m.segments} segment(s) to {c.recipients} recipient(s): {m.text}"
        )
        if m.resume is not None and (m.resume.sent or m.resume.unsure):
            lines.append(
                f"  still to send: {c.recipients} ({len(m.resume.sent)} already sent,"
                f" {len(m.resume.unsure)} unsure, not counted)"
            )
        lines.append(
            f"  cost: {c.cost(c.segments_with_marks):,.0f} VND with diacritics "
            f"({c.segments_with_marks} seg.), {c.cost(c.segments_without_marks):,.0f} VND "
            f"without ({c.segments_without_marks} seg.)"
        )
    elif d.channel in {"facebook", "zalo"}:
        lines.append(f"  {_short(m.body)}")
    if p.file is not None:
        lines.append(f"  file: {p.file}")
    return lines


def _short(body: Any) -> str:
    text = str(body.get("message") or body.get("description") or "")
    return text if len(text) <= 160 else text[:157] + "..."
