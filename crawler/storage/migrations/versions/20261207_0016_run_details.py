"""run details: what a queued ad-hoc crawl found, for the CLI that waits for it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:00:00

In queue mode (#19) `mediamon crawl URL...` is run by a worker, and the CLI that queued it
learns the outcome from the run's ``crawl_runs`` row. The counters fit ``stats``; the mentions
found and the pages that failed (what the CLI prints, one per line) go to ``details``, a JSON
column that stays NULL for every other run. Downgrading drops the column: only the details
of finished ad-hoc runs are lost.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("details")
