"""Delivery states, as plain strings: the CLI parser offers them as choices without importing
SQLAlchemy (worker.store.models re-exports them)."""

from __future__ import annotations

# Delivery states, as in docs/architecture.md.
PLANNED = "planned"
AWAITING_APPROVAL = "awaiting_approval"
QUEUED = "queued"
SENDING = "sending"
RETRYING = "retrying"
PUBLISHED = "published"
FAILED = "failed"
UNCERTAIN = "uncertain"
SKIPPED = "skipped"
CANCELLED = "cancelled"
STATES = (
    PLANNED,
    AWAITING_APPROVAL,
    QUEUED,
    SENDING,
    RETRYING,
    PUBLISHED,
    FAILED,
    UNCERTAIN,
    SKIPPED,
    CANCELLED,
)
PENDING_STATES = (PLANNED, AWAITING_APPROVAL, QUEUED, SENDING, RETRYING)
UNSENT_STATES = (PLANNED, AWAITING_APPROVAL, QUEUED, RETRYING)
