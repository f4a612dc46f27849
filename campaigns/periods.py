"""Reporting periods written as the plan writes them: 2024-Q1, 2024-H1 (6 tháng), 2024-Q3, 2024."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from campaigns.model import TZ

_PATTERN = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]))?$")
FIRST_YEAR, LAST_YEAR = 1900, 9998  # dates a database and a time zone can all hold
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
LABELS_VI = {
    "Q1": "quý I",
    "Q2": "quý II",
    "Q3": "quý III",
    "Q4": "quý IV",
    "H1": "6 tháng đầu",
    "H2": "6 tháng cuối",
}

LABELS_EN = {
    "Q1": "Q1 {year}",
    "Q2": "Q2 {year}",
    "Q3": "Q3 {year}",
    "Q4": "Q4 {year}",
    "H1": "first half of {year}",
    "H2": "second half of {year}",
}


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.datetime  # inclusive, local midnight
    end: dt.datetime  # exclusive

    def label_en(self) -> str:
        """The period in English: 'Q1 2024', 'first half of 2024', 'year 2024'."""
        m = _PATTERN.match(self.label)
        if m and m.group(2):
            return LABELS_EN[m.group(2)].format(year=m.group(1))
        if m:
            return f"year {m.group(1)}"
        return self.label

    def label_vi(self) -> str:
        m = _PATTERN.match(self.label)
        if m and m.group(2):
            return f"{LABELS_VI[m.group(2)]} năm {m.group(1)}"
        if m:
            return f"năm {m.group(1)}"
        return self.label


def _local(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), TZ)


def parse_period(text: str) -> Period:
    """Parse a period; raises ValueError with the accepted forms when it is not one.

    Years outside 1900..9998 are refused: year 1 or 9999 would overflow the time-zone and
    database conversions of its bounds.
    """
    return _parse(text.strip())


def _parse(text: str) -> Period:
    text = text if _RANGE.match(text) else text.upper()
    m = _PATTERN.match(text)
    if m:
        year, part = int(m.group(1)), m.group(2)
        first, months = {
            None: (1, 12),
            "Q1": (1, 3),
            "Q2": (4, 3),
            "Q3": (7, 3),
            "Q4": (10, 3),
            "H1": (1, 6),
            "H2": (7, 6),
        }[part]
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"period '{text}': years from {FIRST_YEAR} to {LAST_YEAR} only")
        start = dt.date(year, first, 1)
        end_month = first + months
        end = dt.date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
        return Period(text, _local(start), _local(end))
    r = _RANGE.match(text)
    if r:
        try:
            start, last = dt.date.fromisoformat(r.group(1)), dt.date.fromisoformat(r.group(2))
        except ValueError as e:
            raise ValueError(f"period '{text}': {e}") from e
        if last < start:
            raise ValueError(f"period '{text}' ends before it starts")
        if start.year < FIRST_YEAR or last.year > LAST_YEAR:
            raise ValueError(f"period '{text}': years from {FIRST_YEAR} to {LAST_YEAR} only")
        return Period(text, _local(start), _local(last + dt.timedelta(days=1)))
    raise ValueError(
        f"'{text}' is not a period: use 2024, 2024-Q1..Q4, 2024-H1/H2, or 2024-01-01..2024-03-31"
    )
