"""Planning straight to queued: which new rows skip `planned`, and when their messages go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from campaigns.model import Campaign
from worker.store.models import AWAITING_APPROVAL, PLANNED, QUEUED


@dataclass(frozen=True)
class Straight:
    """Plan rows that need nothing more straight to `queued` and send them chunk by chunk.

    A row due by the planning time, of a campaign needing no approval, on a channel not `held`
    (quiet hours) is inserted `queued` (queued_at: now) instead of `planned`, so it is written
    once instead of inserted and then promoted. After each chunk the planner commits, then
    hands the chunk's new queued rows to `send`: a row is in the database before its message
    is in the broker, and a message lost between the two is the stale-queued sweep's to send.
    """

    send: Callable[[list[tuple[int, str]]], None]
    held: frozenset[str] = frozenset()

    def state(self, campaign: Campaign, channel: str, due: dt.datetime, now: dt.datetime) -> str:
        if campaign.approval:
            return AWAITING_APPROVAL
        return QUEUED if due <= now and channel not in self.held else PLANNED

    def flush(self, session: Session, queued: list[tuple[int, str]]) -> None:
        if queued:
            session.commit()
            self.send(queued)
