"""deliveries.next_attempt_at: when to try next, so due_at (the report period) never moves.

Until this revision `due_at` was both the planned publication time and the next attempt time:
a retry, a quiet-hour hold, a rate-limit wait or an operator's retry rewrote it and moved the
delivery into another report period. Existing rows get their `due_at` as the next attempt
time (what the scheduler used until now); their `due_at` cannot be recovered where it moved.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE deliveries SET next_attempt_at = due_at")
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column(
            "next_attempt_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch.create_index("ix_deliveries_state_next", ["state", "next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_state_next")
        batch.drop_column("next_attempt_at")
