"""The per-unit report for Sở Nội vụ: what each unit published, per channel, for a period.

A delivery counts in the period its `due_at` falls in. Counts come from the database; every
unit gets a row, in plan order, even with nothing to count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.model import CHANNEL_KINDS, TZ, Config
from campaigns.periods import Period
from campaigns.topics import Topics
from worker.reports.quotas import Goal, build_goals
from worker.store.filters import Filters, in_period
from worker.store.models import (
    AWAITING_APPROVAL,
    FAILED,
    PENDING_STATES,
    PUBLISHED,
    UNCERTAIN,
    ContentItem,
    Delivery,
    SmsReport,
)

BUCKETS = ("published", "failed", "uncertain", "pending")
BUCKET_STATES: dict[str, tuple[str, ...]] = {
    "published": (PUBLISHED,),
    "failed": (FAILED,),
    "uncertain": (UNCERTAIN,),
    "pending": PENDING_STATES,
}
_BUCKET_OF = {state: b for b, states in BUCKET_STATES.items() for state in states}
COLUMNS = (*CHANNEL_KINDS, *BUCKETS)
# content forms as the plan names them: website posts split into "tin, bài" and video clips
FORMS = ("article", "video", "screen", "sms", "facebook", "zalo", "loudspeaker")


@dataclass(frozen=True)
class Sms:
    """SMS for one unit: deliveries, numbers the gateway accepted, segments each, messages
    billed, and the numbers whose delivery report says delivered or failed."""

    messages: int = 0
    recipients: int = 0
    segments: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Broadcast:
    """Published loudspeaker items for one unit: the bulletins (slots) they went out in, the
    items and the minutes of reading time."""

    bulletins: int = 0
    items: int = 0
    minutes: float = 0.0


@dataclass(frozen=True)
class Topic:
    """Published deliveries carrying one topic, per channel; None is items with no topic."""

    topic: str | None
    channels: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.channels.values())


@dataclass
class Report:
    period: Period
    filters: Filters = field(default_factory=Filters)
    units: list[tuple[str, str]] = field(default_factory=list)  # code, name, in plan order
    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # unit, channel, bucket
    sms: dict[str, Sms] = field(default_factory=dict)
    loudspeaker: dict[str, Broadcast] = field(default_factory=dict)
    topics: list[Topic] = field(default_factory=list)
    topic_totals: dict[str, int] = field(default_factory=dict)  # channel: distinct deliveries
    goals: list[Goal] = field(default_factory=list)
    forms: Counter[tuple[str, str]] = field(default_factory=Counter)  # unit, form: published
    monthly: Counter[tuple[str, str]] = field(default_factory=Counter)  # "2024-01", channel
    awaiting: dict[str, int] = field(default_factory=dict)  # campaign: awaiting approval
    campaigns: dict[str, str] = field(default_factory=dict)  # id: title, those reported on
    topic_table: Topics = field(default_factory=Topics)  # topics.yaml: each topic's label

    @property
    def channels(self) -> tuple[str, ...]:
        return self.filters.channels()

    def count(self, unit: str, channel: str | None, bucket: str) -> int:
        """One cell; channel None adds up every channel the report covers."""
        chans = self.channels if channel is None else (channel,)
        return sum(self.counts[(unit, c, bucket)] for c in chans)

    @property
    def rows(self) -> list[tuple[str, str, dict[str, int]]]:
        """The summary per unit: published per channel, then each bucket over all channels."""
        return [(code, name, self._summary(code)) for code, name in self.units]

    def _summary(self, unit: str) -> dict[str, int]:
        cells = {c: self.counts[(unit, c, "published")] for c in CHANNEL_KINDS}
        cells.update({b: self.count(unit, None, b) for b in BUCKETS})
        return cells

    def months(self) -> list[str]:
        """Every month of the period as 'YYYY-MM', in order."""
        first = self.period.start.astimezone(TZ).date().replace(day=1)
        last = self.period.end.astimezone(TZ) - dt.timedelta(microseconds=1)
        found, year, month = [], first.year, first.month
        while (year, month) <= (last.year, last.month):
            found.append(f"{year}-{month:02d}")
            year, month = year + month // 12, month % 12 + 1
        return found

    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for _, _, cells in self.rows:
            total.update(cells)
        return {c: total[c] for c in COLUMNS}


def build_report(
    session: Session,
    config: Config,
    period: Period,
    campaign: str | None = None,
    *,
    unit: str | None = None,
    channel: str | None = None,
) -> Report:
    """Count deliveries due in the period by unit, channel and state; every unit gets a row."""
    filters = Filters(campaign, unit, channel)
    # a campaign's report lists that campaign's units only
    chosen = config.campaigns.get(campaign or "")
    members = set(chosen.units) if chosen else set(config.units)
    units = sorted(config.units.values(), key=lambda u: u.order)
    report = Report(
        period,
        filters,
        [(u.code, u.name) for u in units if unit in (None, u.code) and u.code in members],
    )
    report.campaigns = {
        c.id: c.title for c in config.campaigns.values() if campaign in (None, c.id)
    }
    q = select(Delivery.unit, Delivery.channel, Delivery.state, func.count())
    q = in_period(filters.apply(q), period).group_by(
        Delivery.unit, Delivery.channel, Delivery.state
    )
    for code, chan, state, n in session.execute(q):
        if state in _BUCKET_OF:
            report.counts[(code, chan, _BUCKET_OF[state])] += n
    report.sms = _sms(session, period, filters)
    report.loudspeaker = _loudspeaker(session, period, filters)
    report.topics, report.topic_totals = _topics(session, config, period, filters)
    report.topic_table = config.topics
    report.goals = build_goals(session, config, period, filters)
    report.forms, report.monthly = _forms_and_months(session, period, filters)
    report.awaiting = _awaiting(session, period, filters)
    return report


def _forms_and_months(
    session: Session, period: Period, filters: Filters
) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Published per unit x content form, and per local month x channel (streamed)."""
    q = (
        select(Delivery.unit, Delivery.channel, ContentItem.kind, Delivery.due_at)
        .join(ContentItem, ContentItem.id == Delivery.item_id)
        .where(Delivery.state == PUBLISHED)
    )
    forms: Counter[tuple[str, str]] = Counter()
    months: Counter[tuple[str, str]] = Counter()
    for code, chan, kind, due in session.execute(
        in_period(filters.apply(q), period).execution_options(yield_per=1000)
    ):
        form = chan if chan != "website" else ("video" if kind == "video" else "article")
        forms[(code, form)] += 1
        months[(f"{due.astimezone(TZ):%Y-%m}", chan)] += 1
    return forms, months


def _awaiting(session: Session, period: Period, filters: Filters) -> dict[str, int]:
    """Deliveries due in the period that wait for approval, per campaign."""
    q = select(Delivery.campaign, func.count()).where(Delivery.state == AWAITING_APPROVAL)
    q = in_period(filters.apply(q), period).group_by(Delivery.campaign).order_by(Delivery.campaign)
    return {c: int(n) for c, n in session.execute(q)}


def _sms(session: Session, period: Period, filters: Filters) -> dict[str, Sms]:
    """Published SMS, and any other (a crash, a partial failure) whose gateway accepted numbers:
    what was sent counts, whatever state the row was left in."""
    counted = (Delivery.channel == "sms") & (
        (Delivery.state == PUBLISHED) | (Delivery.recipients > 0)
    )
    q = select(
        Delivery.unit,
        func.count(),
        func.coalesce(func.sum(Delivery.recipients), 0),
        func.coalesce(func.sum(Delivery.segments), 0),
        func.coalesce(func.sum(Delivery.recipients * Delivery.segments), 0),
    ).where(counted)
    q = in_period(filters.apply(q), period).group_by(Delivery.unit)
    reports = (
        select(Delivery.unit, SmsReport.state, func.count())
        .join(SmsReport, SmsReport.delivery_id == Delivery.id)
        .where(counted, SmsReport.state.in_(("delivered", "failed", "rejected")))
    )
    reports = in_period(filters.apply(reports), period).group_by(Delivery.unit, SmsReport.state)
    outcome: dict[str, dict[str, int]] = {}
    for unit, state, n in session.execute(reports):
        key = "delivered" if state == "delivered" else "failed"
        outcome.setdefault(unit, {}).setdefault(key, 0)
        outcome[unit][key] += int(n)
    return {
        u: Sms(int(n), int(r), int(s), int(t), **outcome.get(u, {}))
        for u, n, r, s, t in session.execute(q)
    }


def _loudspeaker(session: Session, period: Period, filters: Filters) -> dict[str, Broadcast]:
    """Bulletins and minutes per unit, from what each publish recorded (progress, in Python:
    JSON functions differ between databases)."""
    q = select(Delivery.unit, Delivery.target, Delivery.progress).where(
        Delivery.channel == "loudspeaker", Delivery.state == PUBLISHED
    )
    slots: dict[str, set[tuple[str, str]]] = {}
    items: Counter[str] = Counter()
    seconds: dict[str, float] = {}
    for unit, target, progress in session.execute(in_period(filters.apply(q), period)):
        aired = (progress or {}).get("aired") or {}
        slots.setdefault(unit, set()).add((target, str(aired.get("bulletin", ""))))
        items[unit] += 1
        seconds[unit] = seconds.get(unit, 0.0) + float(aired.get("seconds") or 0)
    return {u: Broadcast(len(slots[u]), items[u], round(seconds[u] / 60, 1)) for u in slots}


def _topics(
    session: Session, config: Config, period: Period, filters: Filters
) -> tuple[list[Topic], dict[str, int]]:
    """Per topic in Python, over a streamed query: JSON functions differ between databases."""
    sub = select(Delivery.item_id, Delivery.channel, func.count().label("n")).where(
        Delivery.state == PUBLISHED
    )
    sub_q = in_period(filters.apply(sub), period).group_by(Delivery.item_id, Delivery.channel)
    counted = sub_q.subquery()
    q = select(ContentItem.topics, counted.c.channel, counted.c.n).join(
        counted, ContentItem.id == counted.c.item_id
    )
    per_topic: dict[str | None, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for topics, chan, n in session.execute(q.execution_options(yield_per=500)):
        totals[chan] += n
        for topic in dict.fromkeys(topics or [None]):
            per_topic.setdefault(topic, Counter())[chan] += n
    order = [
        t for c in config.campaigns.values() if filters.campaign in (None, c.id) for t in c.topics
    ]
    rank = {t: i for i, t in enumerate(dict.fromkeys(order))}
    keys = sorted(
        per_topic,
        key=lambda t: (
            t is None,
            rank.get(t or "", len(rank)),
            -sum(per_topic[t].values()),
            t or "",
        ),
    )
    chans = filters.channels()
    return [Topic(t, {c: per_topic[t][c] for c in chans}) for t in keys], {
        c: totals[c] for c in chans
    }
