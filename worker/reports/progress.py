"""A campaign's progress over its whole span, as the status page shows it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from campaigns.model import TZ, Campaign, Config
from campaigns.periods import Period
from worker.reports.report import Report, build_report


def campaign_period(campaign: Campaign) -> Period:
    """The campaign's whole span as a report period (deliveries are due inside it)."""
    label = f"{campaign.start.isoformat()}..{campaign.end.isoformat()}"
    start = dt.datetime.combine(campaign.start, dt.time(0), TZ)
    end = dt.datetime.combine(campaign.end + dt.timedelta(days=1), dt.time(0), TZ)
    return Period(label, start, end)


def current_quarter(campaign: Campaign, now: dt.datetime) -> str:
    """The quarter to show quotas for: today's, held inside the campaign's span."""
    day = min(max(now.astimezone(TZ).date(), campaign.start), campaign.end)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def progress(session: Session, config: Config, campaign: Campaign) -> Report:
    """Per-unit counts over the campaign's span: the report for that campaign."""
    return build_report(session, config, campaign_period(campaign), campaign.id)
