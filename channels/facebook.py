"""A Facebook Page post: the text keeps its diacritics, the link carries the article or video."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from campaigns.model import Item, Target, Unit
from campaigns.text import shorten, web_url
from channels.base import NO_CONTEXT, Context, Message
from channels.website import reference


def hashtags_for(target: Target, context: Context) -> list[str]:
    """The target's hashtags, then the campaign's `add` ones; a campaign's `replace` list
    stands instead of the target's (an empty one: no hashtag at all). Each once."""
    own = [str(t) for t in target.options.get("hashtags", [])]
    campaign = context.campaign
    if campaign is not None and campaign.hashtags_replace is not None:
        return list(dict.fromkeys(campaign.hashtags_replace))
    added = list(campaign.hashtags_add) if campaign is not None else []
    return list(dict.fromkeys([*own, *added]))


class FacebookFormat:
    kind: ClassVar[str] = "facebook"
    max_text: ClassVar[int] = 2000
    """Characters of `message`: loa's choice, well inside the Graph API's 63,206."""

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
        hashtags = " ".join(hashtags_for(target, context))
        parts = [item.title, shorten(item.summary, 600), hashtags]
        text = shorten("\n\n".join(p for p in parts if p), self.max_text)
        link = web_url(item.video_url) or web_url(item.link)  # no unsafe link slips out
        body: dict[str, object] = {"message": text}
        if link:
            body["link"] = link
        return Message(
            kind=self.kind,
            title=item.title,
            text=text,
            body=body,
            reference=reference(item, target),
            link=link,
        )
