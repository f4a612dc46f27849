"""Plain, validated values that config and feeds turn into: units, targets, campaigns, items.

A `Target` is a channel destination (targets.yaml); what a campaign asks of each unit per
quarter is its `quotas` (campaign key `quotas:`, old name `targets:`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from zoneinfo import ZoneInfo

from campaigns.text import youtube_id
from campaigns.topics import Topics

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def fold(text: str) -> str:
    """Lower case without diacritics (đ→d), so 'Dịch vụ công' matches 'dich vu cong'."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D").casefold()


UnitKind = Literal["department", "press", "district", "commune"]
ChannelKind = Literal["website", "screen", "sms", "facebook", "zalo", "loudspeaker"]
CHANNEL_KINDS: tuple[str, ...] = ("website", "screen", "sms", "facebook", "zalo", "loudspeaker")
UNIT_KINDS: tuple[str, ...] = ("department", "press", "district", "commune")


@dataclass(frozen=True)
class Unit:
    """A body that carries the plan out and reports on it (đơn vị)."""

    code: str
    name: str
    kind: str
    parent: str | None = None
    order: int = 0
    short_name: str = ""
    """The name an SMS starts with (units.yaml `short_name`); empty: the full name."""
    # the báo cáo's header and signer for this unit (units.yaml `report:`), set keys only
    report: Mapping[str, Any] = field(default_factory=dict, compare=False)
    agency: str = ""
    """The line a public-screen slide's header names the unit by ("" means the unit's name)."""
    parent_agency: str = ""
    """The line above it: the parent unit's agency, or the province ("" for none)."""

    @property
    def agency_line(self) -> str:
        return self.agency or self.name


@dataclass(frozen=True)
class Target:
    """One place a unit publishes to: a channel kind reached through a transport."""

    id: str
    unit: str
    kind: str
    transport: str
    endpoint: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    def secret(self, name: str) -> str | None:
        """The value of the environment variable this target names for `name`."""
        var = self.credentials.get(name)
        return os.environ.get(var) if var else None


KEY_LIMIT = 255
"""Keys up to this length are `<source>:<guid>` as written; longer guids are keyed by digest."""


def item_key(source_id: str, guid: str) -> str:
    """The stable key of an item: `<source>:<guid>`, or `<source>:sha256:<hex>` for a long guid.

    Short keys stay what they always were, so items stored earlier keep their key (and the
    slugs derived from it); a guid of any length gives a key that fits the store's column.
    """
    key = f"{source_id}:{guid}"
    if len(key) <= KEY_LIMIT:
        return key
    return f"{source_id}:sha256:{hashlib.sha256(guid.encode()).hexdigest()}"


@dataclass(frozen=True)
class Item:
    """A piece of content: an article or a video link, text already NFC and sanitised."""

    key: str
    kind: str  # "article" | "video"
    title: str
    summary: str = ""
    body_html: str = ""
    link: str | None = None
    video_url: str | None = None
    image_url: str | None = None
    published: dt.datetime | None = None
    topics: tuple[str, ...] = ()
    source: str = ""
    guid: str | None = None
    """The source's own id for the entry (guid, Atom id, file path), kept whatever its length."""
    warnings: tuple[str, ...] = ()
    """What was dropped or cut at ingest (an unsafe link, a title too long), for the operator."""

    @property
    def video_id(self) -> str | None:
        """The YouTube video id of `video_url`, if it is a YouTube link."""
        return youtube_id(self.video_url) if self.video_url else None


def with_topics(item: Item, topics: Topics) -> Item:
    """The item with its topics resolved through topics.yaml (feed categories onto slugs)."""
    resolved = topics.resolve_all(item.topics)
    return item if resolved == item.topics else replace(item, topics=resolved)


@dataclass(frozen=True)
class Schedule:
    """When a campaign's items are due: at fixed times, on a cron, or as soon as they appear."""

    kind: str  # "now" | "at" | "cron" | "on_new_item"
    at: tuple[dt.datetime, ...] = ()
    cron: str | None = None


@dataclass(frozen=True)
class Source:
    """Where a campaign's content comes from."""

    id: str
    kind: str  # "files" | "videos" | "feed" | "youtube"
    path: str | None = None
    url: str | None = None
    interval: int = 900
    topics: tuple[str, ...] = ()
    fallback: str | None = None


@dataclass(frozen=True)
class Campaign:
    """What to publish, where and when; `quotas` is {measure: {"Q1": n, ...}} for each unit."""

    id: str
    title: str
    start: dt.date
    end: dt.date
    topics: tuple[str, ...]
    sources: tuple[Source, ...]
    units: tuple[str, ...]
    channels: tuple[str, ...]
    schedule: Schedule
    approval: bool = False
    quotas: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    match_topics: tuple[str, ...] = ()
    match_keywords: tuple[str, ...] = ()
    cap_per_day: int | None = None
    backfill: bool = False
    hashtags_add: tuple[str, ...] = ()
    """Hashtags its Facebook posts carry after the target's."""
    hashtags_replace: tuple[str, ...] | None = None
    """Hashtags its Facebook posts carry instead of the target's, when set."""
    file: str = field(default="", compare=False)
    """The campaign's file, as `loa check` names it (config/campaigns/x.yaml)."""

    def matches(self, topics: tuple[str, ...] | list[str], text: str) -> bool:
        """An item belongs to the campaign if no filter is set, or any topic or keyword matches."""
        if not self.match_topics and not self.match_keywords:
            return True
        if set(topics) & set(self.match_topics):
            return True
        folded = fold(text)
        return any(fold(k) in folded for k in self.match_keywords)

    def covers(self, when: dt.datetime) -> bool:
        day = when.astimezone(TZ).date()
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Config:
    """Everything under config/, resolved and checked."""

    root: str
    units: Mapping[str, Unit]
    targets: Mapping[str, Target]
    campaigns: Mapping[str, Campaign]
    settings: Mapping[str, Any] = field(default_factory=dict)
    topics: Topics = field(default_factory=Topics)  # topics.yaml: labels and spellings

    def targets_of(self, unit: str, kinds: tuple[str, ...]) -> list[Target]:
        return [t for t in self.targets.values() if t.unit == unit and t.kind in kinds]
