"""Dates and times as staff write them: the one parser for config files and content.

A date is `YYYY-MM-DD` (2024-10-15) or `DD/MM/YYYY` (15/10/2024), as Vietnamese documents
write it; a time may follow (`2024-10-15 08:00`, `15/10/2024 08:00`, or ISO with an offset).
Naive times are Asia/Ho_Chi_Minh wall-clock times.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic_core import PydanticCustomError

from campaigns.model import TZ

DATE_FORMS = "YYYY-MM-DD (2024-10-15) or DD/MM/YYYY (15/10/2024)"
"""What an error about a date says may be written instead."""
DATE_PATTERN = r"^\s*(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})\s*$"
"""A date in either accepted form, for the JSON Schema editors check against."""
DATETIME_PATTERN = (
    r"^\s*(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}/\d{1,2}/\d{4}(\s+\d{1,2}:\d{2})?)\s*$"
)
"""A date or a date and time in any accepted form, for the JSON Schema."""

_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$")


def from_text(text: str) -> dt.datetime | dt.date | None:
    """`DD/MM/YYYY [HH:MM]` or ISO 8601 text as a (naive or aware) value; None if neither."""
    text = text.strip()
    match = _VN_DATE.match(text)
    try:
        if match:
            day, month, year, hour, minute = match.groups()
            if hour is None:
                return dt.date(int(year), int(month), int(day))
            return dt.datetime(int(year), int(month), int(day), int(hour), int(minute))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_when(value: Any) -> dt.datetime | None:
    """A date or time from YAML as aware UTC; naive values are Asia/Ho_Chi_Minh local time."""
    if isinstance(value, str):
        value = from_text(value)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=TZ)
        return aware.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0), TZ).astimezone(dt.UTC)
    return None


def config_date(value: Any) -> dt.date:
    """A calendar date in config (a campaign's period): refused with both accepted forms.

    The errors are PydanticCustomError (a ValueError) with a `loa.` type, so a message
    catalogue can say them in another language.
    """
    parsed = from_text(value) if isinstance(value, str) else value
    if isinstance(parsed, dt.datetime):
        if parsed.time() != dt.time(0):
            raise PydanticCustomError(
                "loa.date_with_time",
                "'{value}' has a time: give the day alone, " + DATE_FORMS,
                {"value": str(value)},
            )
        return parsed.date()
    if isinstance(parsed, dt.date):
        return parsed
    raise PydanticCustomError(
        "loa.date", "'{value}' is not a date: write " + DATE_FORMS, {"value": str(value)}
    )


def config_datetime(value: Any) -> dt.datetime:
    """A moment in config (a schedule's `at`): ISO, or `DD/MM/YYYY HH:MM`; naive is local."""
    parsed = from_text(value) if isinstance(value, str) else value
    if isinstance(parsed, dt.datetime):
        return parsed
    if isinstance(parsed, dt.date):
        return dt.datetime.combine(parsed, dt.time(0))
    raise PydanticCustomError(
        "loa.datetime",
        "'{value}' is not a date and time: write YYYY-MM-DDTHH:MM:SS+07:00"
        " (2024-10-15T08:00:00+07:00) or DD/MM/YYYY HH:MM (15/10/2024 08:00)",
        {"value": str(value)},
    )
