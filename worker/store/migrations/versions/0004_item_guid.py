"""Items keep their source's guid, and the warnings ingest recorded; long keys become digests.

A guid over campaigns.model.KEY_LIMIT (255) characters, with its source prefix, is now keyed
`<source>:sha256:<hex of the guid>` so it fits `content_items.key` (varchar 512) on PostgreSQL.
Short keys are left exactly as they are, so existing items (and the slugs made from their keys)
keep working. A long key could only have been stored on SQLite, which does not enforce the
length: such rows are rekeyed here the way ingest now keys them, so no item is stored twice.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY_LIMIT = 255  # campaigns.model.KEY_LIMIT when this revision was written


def upgrade() -> None:
    with op.batch_alter_table("content_items") as batch:
        batch.add_column(sa.Column("guid", sa.Text(), nullable=True))
        batch.add_column(sa.Column("warnings", sa.JSON(), nullable=True))
    items = sa.table(
        "content_items",
        sa.column("id", sa.Integer()),
        sa.column("key", sa.String()),
        sa.column("source", sa.String()),
        sa.column("guid", sa.Text()),
    )
    conn = op.get_bind()
    long = conn.execute(
        sa.select(items.c.id, items.c.key, items.c.source).where(
            sa.func.length(items.c.key) > KEY_LIMIT
        )
    ).all()
    for row_id, key, source in long:
        guid = key.removeprefix(f"{source}:")
        digest = hashlib.sha256(guid.encode()).hexdigest()
        conn.execute(
            sa.update(items)
            .where(items.c.id == row_id)
            .values(key=f"{source}:sha256:{digest}", guid=guid)
        )


def downgrade() -> None:
    with op.batch_alter_table("content_items") as batch:
        batch.drop_column("warnings")
        batch.drop_column("guid")
