"""feed fetches shared by the organisations that watch the same feed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:40:00

Several organisations in one database (#16): ``feed_fetches`` keeps the last full fetch of a
feed URL that more than one organisation watches (body, validators, final URL, redirects),
one row per (URL, fetch profile), so another organisation's poll due within
``crawl.shared_fetch_seconds`` uses it instead of fetching the feed again. A new table: no
existing table changes; downgrading drops it (nothing but a cache is lost).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_fetches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("org", sa.String(length=200), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final_url", sa.String(length=2048), nullable=False),
        sa.Column("redirects", sa.JSON(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("etag", sa.String(length=1024), nullable=False),
        sa.Column("last_modified", sa.String(length=200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feed_fetches"),
        sa.UniqueConstraint("url", "profile", name="uq_feed_fetches_url_profile"),
    )
    op.create_index("ix_feed_fetches_fetched_at", "feed_fetches", ["fetched_at"])


def downgrade() -> None:
    op.drop_index("ix_feed_fetches_fetched_at", table_name="feed_fetches")
    op.drop_table("feed_fetches")
