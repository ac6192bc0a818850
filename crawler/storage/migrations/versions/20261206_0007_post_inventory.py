"""post inventory

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 20:30:00

The whole post inventory (#16): each post keeps the ``rel=canonical`` its page declares
(``canonical_offsite`` when that points to another site: the post stays stored under the URL
it is published at) and its shortlink (``?p=ID`` or ``wp.me``); ``post_inventories`` records,
per organisation and site, the last ``mediamon posts sync``: when, how many posts, and what
each route gave (an unavailable REST API, a looping feed...). Existing rows keep their data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: batch mode rebuilds ``posts`` on SQLite for a NOT NULL
    # column, and dropping the old table fires ON DELETE SET NULL on every mention's post_id.
    op.add_column(
        "posts",
        sa.Column("canonical_link", sa.String(length=2048), nullable=False, server_default=""),
    )
    op.add_column(
        "posts", sa.Column("shortlink", sa.String(length=2048), nullable=False, server_default="")
    )
    op.add_column(
        "posts",
        sa.Column("canonical_offsite", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "post_inventories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org", sa.String(length=200), nullable=False),
        sa.Column("site_url", sa.String(length=2048), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("routes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_inventories")),
        sa.UniqueConstraint("org", "site_url", name=op.f("uq_post_inventories_org_site_url")),
    )


def downgrade() -> None:
    op.drop_table("post_inventories")
    # A plain DROP COLUMN (SQLite >= 3.35, PostgreSQL), not batch mode: batch mode rebuilds
    # ``posts`` on SQLite, and dropping the old table fires ON DELETE SET NULL on every
    # mention's post_id, so the downgrade below this one would find no post to restore from.
    for name in ("canonical_offsite", "shortlink", "canonical_link"):
        op.execute(f"ALTER TABLE posts DROP COLUMN {name}")
