"""What a format needs beside the item, unit and target, read by the worker beforehand."""

from __future__ import annotations

from sqlalchemy import select

from campaigns.model import Target
from campaigns.text import web_url
from channels import shortlink
from channels.base import Context
from worker.engine.runtime import Runtime
from worker.store.models import PUBLISHED, ContentItem, Delivery


def context_for(rt: Runtime, d: Delivery, item: ContentItem, target: Target) -> Context:
    """The campaign, the topic names, and for an SMS target with `short_link` the short link."""
    short = _short_link(rt, d, item, target) if target.kind == "sms" else None
    return Context(
        campaign=rt.config.campaigns.get(d.campaign),
        topic_names=rt.config.topic_names,
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
