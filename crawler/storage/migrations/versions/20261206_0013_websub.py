"""websub subscriptions

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06 23:30:00

WebSub (#21): ``websub_subscriptions`` holds one subscription per (organisation, topic) with
its hub, secret, unguessable callback token, state and lease; ``websub_checks`` remembers when
each watched feed was last looked at for a hub. Two new tables: no existing table changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "websub_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=2048), nullable=False),
        sa.Column("hub", sa.String(length=2048), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("lease_seconds", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_push_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pushes", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name="fk_websub_subscriptions_source_id_sources",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_websub_subscriptions"),
        sa.UniqueConstraint("token", name="uq_websub_subscriptions_token"),
        sa.UniqueConstraint("org", "topic", name="uq_websub_subscriptions_org_topic"),
    )
    op.create_index(
        "ix_websub_subscriptions_source_id", "websub_subscriptions", ["source_id"]
    )
    op.create_index(
        "ix_websub_subscriptions_expires_at", "websub_subscriptions", ["expires_at"]
    )
    op.create_table(
        "websub_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hub", sa.String(length=2048), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name="fk_websub_checks_source_id_sources",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_websub_checks"),
        sa.UniqueConstraint("source_id", name="uq_websub_checks_source_id"),
    )


def downgrade() -> None:
    op.drop_table("websub_checks")
    op.drop_index("ix_websub_subscriptions_expires_at", table_name="websub_subscriptions")
    op.drop_index("ix_websub_subscriptions_source_id", table_name="websub_subscriptions")
    op.drop_table("websub_subscriptions")
