"""What an operator narrowed a query to, shared by the report, the page, the API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import Select

from campaigns.model import CHANNEL_KINDS
from campaigns.periods import Period
from worker.store.models import Delivery

_Ts = TypeVarTuple("_Ts")


@dataclass(frozen=True)
class Filters:
    """What an operator narrowed the report (or the status API) to; None means everything."""

    campaign: str | None = None
    unit: str | None = None
    channel: str | None = None

    def apply(self, q: Select[*_Ts]) -> Select[*_Ts]:
        """The same WHERE for the report, the status page and the JSON API, so they agree."""
        if self.campaign:
            q = q.where(Delivery.campaign == self.campaign)
        if self.unit:
            q = q.where(Delivery.unit == self.unit)
        if self.channel:
            q = q.where(Delivery.channel == self.channel)
        return q

    def channels(self) -> tuple[str, ...]:
        return (self.channel,) if self.channel else CHANNEL_KINDS


def in_period(q: Select[*_Ts], period: Period) -> Select[*_Ts]:
    """Deliveries due in the period (the README's counting rule)."""
    return q.where(Delivery.due_at >= period.start, Delivery.due_at < period.end)
