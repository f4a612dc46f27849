"""The database tables: the source of truth for every item, delivery and attempt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from worker.store import states

# Delivery states, as in docs/architecture.md: defined in worker.store.states (light, for the
# CLI parser), and named here too, where the rest of loa imports them with the models.
AWAITING_APPROVAL = states.AWAITING_APPROVAL
CANCELLED = states.CANCELLED
FAILED = states.FAILED
PENDING_STATES = states.PENDING_STATES
PLANNED = states.PLANNED
PUBLISHED = states.PUBLISHED
QUEUED = states.QUEUED
RETRYING = states.RETRYING
SENDING = states.SENDING
SKIPPED = states.SKIPPED
STATES = states.STATES
UNCERTAIN = states.UNCERTAIN
UNSENT_STATES = states.UNSENT_STATES


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


"""Nothing sent yet and nobody has settled them: late once their due time has passed."""
FINAL_STATES = (PUBLISHED, FAILED, SKIPPED, CANCELLED)


class ContentItem(Base):
    __tablename__ = "content_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    # `<source>:<guid>`, or `<source>:sha256:<hex>` when that is long (campaigns.model.item_key)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    guid: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(Text)
    video_url: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[dt.datetime | None]
    topics: Mapped[list[str]] = mapped_column(default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    # What ingest dropped or cut (an unsafe link, a long title), for the operator
    warnings: Mapped[list[str] | None] = mapped_column(JSON)
    first_seen: Mapped[dt.datetime]
    updated: Mapped[dt.datetime]


class Delivery(Base):
    """One publication of one item, by one unit, to one target, for one campaign."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("campaign", "item_id", "unit", "target", name="uq_delivery"),
        Index("ix_deliveries_state_due", "state", "due_at"),
        Index("ix_deliveries_state_next", "state", "next_attempt_at"),
        Index("ix_deliveries_report", "campaign", "unit", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id"))
    unit: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    # When it was planned to be published: fixed for the row's life, it decides the report
    # period. Retries, quiet-hour holds, rate-limit waits and operators move `next_attempt_at`.
    due_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    queued_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200))
    remote_id: Mapped[str | None] = mapped_column(Text)
    remote_url: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(Integer, default=0)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    # What a partly done publish already achieved: SMS numbers sent (or unsure), a Zalo verify
    # token; the next attempt resumes from it instead of starting over.
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    published_at: Mapped[dt.datetime | None]

    item: Mapped[ContentItem] = relationship(lazy="raise")


class CampaignTarget(Base):
    """A target as a campaign's planner first met it: `since` None if there from the first
    planning of the campaign, else the planning time when it appeared (a target added later).

    Without `backfill`, items that appeared before `since` are not planned for the target.
    """

    __tablename__ = "campaign_targets"

    campaign: Mapped[str] = mapped_column(String(100), primary_key=True)
    target: Mapped[str] = mapped_column(String(200), primary_key=True)
    since: Mapped[dt.datetime | None]
    recorded_at: Mapped[dt.datetime]


class PlanMark(Base):
    """How far the planner got with a campaign: what it planned from and up to which item.

    `fingerprint` digests the campaign's config and its targets as planned; `item_max` and
    `updated_max` are the highest item id and item `updated` among the campaign's sources then.
    A tick with the same fingerprint plans only items past both marks; nothing, when there are
    none (a quiet tick). A different fingerprint plans the campaign in full again.
    """

    __tablename__ = "plan_marks"

    campaign: Mapped[str] = mapped_column(String(100), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    item_max: Mapped[int | None] = mapped_column(Integer)
    updated_max: Mapped[dt.datetime | None]
    planned_at: Mapped[dt.datetime]


class Attempt(Base):
    """One try at publishing: kept for the operator and for the report."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    outcome: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))


class SmsReport(Base):
    """The delivery report (DLR) state of one SMS recipient, merged idempotently."""

    __tablename__ = "sms_reports"
    __table_args__ = (UniqueConstraint("delivery_id", "recipient", name="uq_sms_report"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    final: Mapped[bool] = mapped_column(default=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    smsc_id: Mapped[str | None] = mapped_column(String(100))
    remote_id: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime]


class Secret(Base):
    """A key loa made for itself once (`dlr`: the delivery-report HMAC key); never shown."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime]


class Action(Base):
    """What an operator did, by whom and when."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    user: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"), index=True)
    detail: Mapped[str | None] = mapped_column(Text)


class SourceState(Base):
    """A content source's polling state, and its last error for `loa status`."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll: Mapped[dt.datetime | None]
    last_polled: Mapped[dt.datetime | None]
    last_ok: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    items: Mapped[int] = mapped_column(Integer, default=0)


class Heartbeat(Base):
    """A scheduler's or worker's sign of life, shown by `loa status`."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime]
    seen_at: Mapped[dt.datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Lock(Base):
    """A named lock with an expiry, so only one scheduler is active."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime]


class Account(Base):
    """Someone who may sign in to the console: a role and an argon2 hash, never the password."""

    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
