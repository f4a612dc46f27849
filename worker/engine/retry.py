"""When to try a failed delivery again: exponential back-off with jitter, or the server's word."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any


def backoff(
    policy: dict[str, Any],
    attempt: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after `attempt` (1-based) failed; a Retry-After from the server wins."""
    if retry_after is not None and retry_after > 0:
        return float(retry_after)
    base: float = min(float(policy["cap"]), float(policy["first_delay"]) * 2 ** (attempt - 1))
    spread = base * float(policy["jitter"])
    return max(0.0, base + (rng or random).uniform(-spread, spread))


def exhausted(policy: dict[str, Any], attempt: int) -> bool:
    return attempt >= int(policy["attempts"])


def in_quiet_hours(quiet: dict[str, Any] | None, now_local: dt.datetime) -> dt.datetime | None:
    """If `now_local` is inside the quiet window, the local time it opens again; else None."""
    if not quiet:
        return None
    start, end = _time(quiet["start"]), _time(quiet["end"])
    t = now_local.timetz().replace(tzinfo=None)
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    opens = now_local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if opens <= now_local:
        opens += dt.timedelta(days=1)
    return opens


def _time(value: Any) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
