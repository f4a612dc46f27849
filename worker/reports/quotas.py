"""Quotas against the plan: what each unit must publish per quarter, and what it did.

A campaign's `quotas` (campaign key `quotas:`, old name `targets:`) is
`{measure: {Q1: n, Q2: n, Q3: n, Q4: n}}`, the same for each of its units; they are not the
channel targets of targets.yaml. A channel kind (`website`, `screen`, `sms`, `facebook`,
`zalo`) counts published deliveries on that channel; `article` and `video` count published
*website* deliveries of article and video items (the unit's own page is where the plan counts
"tin, bài" and clips).
A period's quota is the sum of the quarters it fully covers in which the campaign runs
(H1 = Q1 + Q2, a year = all four; a date range counts only whole quarters). Achieved counts
deliveries due in the period, of the campaigns that set that measure for that unit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.model import CHANNEL_KINDS, TZ, Campaign, Config
from campaigns.periods import Period
from worker.store.filters import Filters
from worker.store.models import PUBLISHED, ContentItem, Delivery

MEASURES: tuple[str, ...] = (*CHANNEL_KINDS, "article", "video")
ITEM_MEASURES = {"article": "article", "video": "video"}  # measure: item kind, on the website


@dataclass(frozen=True)
class Goal:
    """One unit's quota for one measure of one campaign over a period, and what it achieved.

    A unit in two campaigns that both set a measure has two goals: quotas are never summed
    across campaigns.
    """

    unit: str
    name: str
    measure: str
    quota: int
    achieved: int
    campaign: str = ""
    campaign_title: str = ""

    @property
    def gap(self) -> int:
        """How many publications are still missing (0 once the quota is met)."""
        return max(self.quota - self.achieved, 0)

    @property
    def behind(self) -> bool:
        return self.gap > 0


def quarters_in(period: Period) -> list[tuple[int, int]]:
    """The (year, quarter) pairs whose whole span lies inside the period."""
    first = period.start.astimezone(TZ).date()
    last = (period.end.astimezone(TZ) - dt.timedelta(microseconds=1)).date()
    found = []
    for year in range(first.year, last.year + 1):
        for q in range(1, 5):
            start, end = _quarter_span(year, q)
            if first <= start and end <= last:
                found.append((year, q))
    return found


def _quarter_span(year: int, q: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def quota_of(campaign: Campaign, measure: str, quarters: list[tuple[int, int]]) -> int:
    """The campaign's per-unit quota for the quarters given, counting those it runs in."""
    per_quarter = campaign.quotas.get(measure, {})
    total = 0
    for year, q in quarters:
        start, end = _quarter_span(year, q)
        if campaign.start <= end and start <= campaign.end:
            total += int(per_quarter.get(f"Q{q}", 0))
    return total


def build_goals(session: Session, config: Config, period: Period, filters: Filters) -> list[Goal]:
    """Quota, achieved and gap per unit x campaign x measure, units in plan order."""
    quarters = quarters_in(period)
    wanted: dict[tuple[str, str, str], int] = {}  # campaign, unit, measure: quota
    for c in config.campaigns.values():
        if filters.campaign not in (None, c.id):
            continue
        for measure in c.quotas:
            if not _measured_on(measure, filters.channel):
                continue
            n = quota_of(c, measure, quarters)
            for unit in c.units:
                if n and filters.unit in (None, unit):
                    wanted[(c.id, unit, measure)] = n
    achieved = _achieved(session, period, filters, set(wanted))
    units = sorted(config.units.values(), key=lambda u: u.order)
    campaigns = list(config.campaigns.values())
    return [
        Goal(u.code, u.name, m, n, achieved[key], c.id, c.title)
        for u in units
        for c in campaigns
        for m in MEASURES
        if (n := wanted.get(key := (c.id, u.code, m), 0))
    ]


def _measured_on(measure: str, channel: str | None) -> bool:
    if channel is None:
        return True
    return measure == channel or (measure in ITEM_MEASURES and channel == "website")


def _achieved(
    session: Session, period: Period, filters: Filters, counted: set[tuple[str, str, str]]
) -> Counter[tuple[str, str, str]]:
    """Published deliveries per campaign x unit x measure, where that campaign set the measure."""
    if not counted:
        return Counter()
    q = (
        select(Delivery.campaign, Delivery.unit, Delivery.channel, ContentItem.kind, func.count())
        .join(ContentItem, ContentItem.id == Delivery.item_id)
        .where(Delivery.state == PUBLISHED)
        .where(Delivery.due_at >= period.start, Delivery.due_at < period.end)
    )
    q = filters.apply(q).group_by(
        Delivery.campaign, Delivery.unit, Delivery.channel, ContentItem.kind
    )
    result: Counter[tuple[str, str, str]] = Counter()
    for campaign, unit, channel, kind, n in session.execute(q):
        measures = [channel]
        if channel == "website":
            measures += [m for m, k in ITEM_MEASURES.items() if k == kind]
        for m in measures:
            if (campaign, unit, m) in counted:
                result[(campaign, unit, m)] += n
    return result
