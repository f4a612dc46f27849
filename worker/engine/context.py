"""What a format needs beside the item, unit and target, read by the worker beforehand."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import unquote, urlparse

from sqlalchemy import select

from campaigns.config import allowed_roots
from campaigns.model import Target
from campaigns.text import web_url
from channels import shortlink
from channels.base import Attachment, Context, Message
from channels.images import local_image
from worker.engine.runtime import Runtime
from worker.store.models import PUBLISHED, ContentItem, Delivery


def context_for(rt: Runtime, d: Delivery, item: ContentItem, target: Target) -> Context:
    """The campaign, the topic names, and for an SMS target with `short_link` the short link."""
    short = _short_link(rt, d, item, target) if target.kind == "sms" else None
    return Context(
        campaign=rt.config.campaigns.get(d.campaign),
        topic_names={slug: t.name for slug, t in rt.config.topics.labels.items()},
        short_link=short,
    )


def _short_link(rt: Runtime, d: Delivery, item: ContentItem, target: Target) -> str | None:
    how = shortlink.mode(target)
    if how is None:
        return None
    if how != shortlink.SITE:
        long = web_url(item.link) or web_url(item.video_url)
        return shortlink.shortened(rt.http, target, how, long) if long else None
    with rt.sessions() as s:
        rows = s.execute(
            select(Delivery.target, Delivery.remote_id).where(
                Delivery.item_id == d.item_id,
                Delivery.unit == d.unit,
                Delivery.channel == "website",
                Delivery.state == PUBLISHED,
                Delivery.remote_id.is_not(None),
            )
        ).all()
    for target_id, remote_id in sorted(rows):
        website = rt.config.targets.get(target_id)
        link = shortlink.site_link(website, str(remote_id)) if website else None
        if link:
            return link
    return None


def with_local_image(rt: Runtime, message: Message, item: ContentItem) -> Message:
    """A website message with its item's image file (beside a Markdown article, inside the
    config folder) attached, to be uploaded as the featured image; the path never leaves loa."""
    url = item.image_url or ""
    if message.kind != "website" or message.attachments or not url.startswith("file:"):
        return message
    path = Path(unquote(urlparse(url).path))
    name = f"{message.reference or 'loa'}-anh"
    image: Attachment | None = local_image(path, name, allowed_roots(Path(rt.config.root)))
    if image is None:
        return message
    return dataclasses.replace(message, attachments=(image,))
