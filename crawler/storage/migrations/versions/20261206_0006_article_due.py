"""article pages still due

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 20:30:00

``feed_entries.article_due`` holds a summary-only entry (its JSON form) from the transaction
that records it, and its feed's validators, until its article page is stored (#18). A poll
that is interrupted, times out or meets a transient failure leaves it set, and the next poll
reads the page whatever the feed answers (a 304 included). One nullable column: nothing to
backfill, the same on both databases.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feed_entries", sa.Column("article_due", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): no rebuild of the table.
    op.execute("ALTER TABLE feed_entries DROP COLUMN article_due")
