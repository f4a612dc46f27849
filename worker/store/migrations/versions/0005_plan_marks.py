"""plan_marks: how far the planner got with each campaign (incremental planning).

A tick plans only items past a campaign's marks while its config and targets are unchanged.
Empty at first: every campaign's next planning is a full one, which records its marks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_marks",
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("item_max", sa.Integer(), nullable=True),
        sa.Column("updated_max", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("campaign"),
    )


def downgrade() -> None:
    op.drop_table("plan_marks")
