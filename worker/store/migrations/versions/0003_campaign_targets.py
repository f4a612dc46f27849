"""campaign_targets: when each target first appeared to a campaign's planner (campaign `backfill`).

A target added after a campaign was first planned gets only the items that appear from then
on, unless the campaign sets `backfill: true`. Every (campaign, target) that already has
deliveries is recorded as there from the campaign's start (`since` NULL): it keeps planning
as before, and only targets met from now on can be "added".

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_targets",
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("campaign", "target"),
    )
    op.execute(
        "INSERT INTO campaign_targets (campaign, target, since, recorded_at) "
        "SELECT campaign, target, NULL, MIN(created_at) FROM deliveries GROUP BY campaign, target"
    )


def downgrade() -> None:
    op.drop_table("campaign_targets")
