"""receipt sender and expiry

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 17:50:00

``sender`` is the site (registrable domain, blog platforms per blog) a receipt's source is on:
the verify run drains the queue round-robin by it, so one flooding sender only delays itself.
``expires_at`` is when a receipt still queued is given up (``receiver.queue_expire_hours``).
The index on (state, sender) serves that drain; the one on (state, target) the per-target cap.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sender", sa.String(length=255), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_receipts_state_sender", ["state", "sender"], unique=False)
        batch_op.create_index("ix_receipts_state_target", ["state", "target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_receipts_state_target")
        batch_op.drop_index("ix_receipts_state_sender")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("sender")
