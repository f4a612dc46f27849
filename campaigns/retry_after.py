"""The one reading of an HTTP Retry-After header, for the feed poller and every transport.

It sits in campaigns/, the lowest layer, because both campaigns/feeds.py and channels/ need
it and campaigns may not import channels. It uses only the standard library.
"""

from __future__ import annotations

import datetime as dt
import email.utils


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait: delta-seconds, or an HTTP-date (0 when past); None for anything else."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max((when - now).total_seconds(), 0.0)
