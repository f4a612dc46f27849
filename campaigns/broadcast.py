"""A loudspeaker station's broadcast slots: the times of day (and days of week) it goes on air.

A loudspeaker target says `options: {slots: ["06:00", "17:00"], days: [mon, ..., sun]}`; an
item for it is due a little before the next slot (`lead_minutes`, default 15), and the bulletin
of that slot carries it. Everything here is Asia/Ho_Chi_Minh wall-clock time and pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from campaigns.model import TZ
from campaigns.schema import time_of_day

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_SLOTS = ("06:00", "17:00")
DEFAULT_LEAD_MINUTES = 15
DEFAULT_MAX_MINUTES = 15.0
DEFAULT_WPM = 150
HORIZON_DAYS = 15
"""How far ahead a slot is looked for: two weeks covers any set of days of the week."""


@dataclass(frozen=True)
class Slots:
    """When a station broadcasts, how long a bulletin may run, and how early items are due."""

    times: tuple[dt.time, ...]
    days: frozenset[int]  # 0 = Monday
    lead: dt.timedelta
    max_seconds: float

    def next(self, moment: dt.datetime) -> dt.datetime:
        """The first slot at or after `moment`, as an aware local datetime."""
        local = moment.astimezone(TZ)
        for offset in range(HORIZON_DAYS):
            day = local.date() + dt.timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            for t in self.times:
                slot = dt.datetime.combine(day, t, TZ)
                if slot >= local:
                    return slot
        raise ValueError("no broadcast slot in the next two weeks")  # days is never empty

    def after(self, slot: dt.datetime) -> dt.datetime:
        """The slot that follows `slot`."""
        return self.next(slot + dt.timedelta(seconds=1))

    def due(self, moment: dt.datetime) -> dt.datetime:
        """When an item appearing at `moment` is due: `lead` before the first slot it can make."""
        slot = self.next(moment + self.lead)
        return slot - self.lead


def slot_id(slot: dt.datetime) -> str:
    """A file-name-safe name for one slot: 2024-02-26_0600 (local time)."""
    return slot.astimezone(TZ).strftime("%Y-%m-%d_%H%M")


def parse_slots(options: Mapping[str, Any]) -> Slots:
    """The broadcast settings in a loudspeaker target's options; ValueError naming the fault."""
    raw_times = options.get("slots", list(DEFAULT_SLOTS))
    if not isinstance(raw_times, Sequence) or isinstance(raw_times, str) or not raw_times:
        raise ValueError('slots must be a list of times of day, like ["06:00", "17:00"]')
    times = tuple(sorted({time_of_day(t) for t in raw_times}))
    raw_days = options.get("days", list(DAYS))
    if not isinstance(raw_days, Sequence) or isinstance(raw_days, str) or not raw_days:
        raise ValueError(f"days must be a list of days of the week from {list(DAYS)}")
    unknown = [d for d in raw_days if str(d).lower()[:3] not in DAYS]
    if unknown:
        raise ValueError(f"days: unknown {unknown}; use {list(DAYS)}")
    days = frozenset(DAYS.index(str(d).lower()[:3]) for d in raw_days)
    lead = _number(options, "lead_minutes", DEFAULT_LEAD_MINUTES, 0, 120)
    max_minutes = _number(options, "max_minutes", DEFAULT_MAX_MINUTES, 1, 180)
    return Slots(times, days, dt.timedelta(minutes=lead), max_minutes * 60)


def _number(options: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{key} must be a number {low:g}..{high:g}, not {value!r}")
    return float(value)
