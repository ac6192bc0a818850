"""several organisations in one database (#16)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:30:00

``sources`` become unique per (org, url) instead of url alone, so two organisations can watch
the same feed; ``receipts``, ``crawl_runs`` and ``blocklist`` get an ``org`` column.

Existing rows keep their data. ``receipts`` and ``crawl_runs`` get the database's one
organisation (the single non-empty ``org`` of ``sources`` and ``posts``, which is what a
database of one config holds), else ``''``: a receipt with ``''`` may be verified by any
organisation's run, a run with ``''`` is shown to every organisation. Blocklist rows keep ``''``, which means "blocked for every organisation" (what
they meant before).

On SQLite a unique constraint can only change by rebuilding the table, and dropping
``sources`` would run its foreign keys' ON DELETE actions (CASCADE empties ``feed_entries``,
SET NULL forgets every document's and mention's source). So the rows that point at a source
are copied aside first and put back after the rebuild; the test in
``tests/storage/test_migration_0010.py`` checks nothing is lost.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ONE_ORG = (
    "(SELECT CASE WHEN count(DISTINCT o) = 1 THEN max(o) ELSE '' END FROM "
    "(SELECT org AS o FROM sources WHERE org != '' UNION SELECT org FROM posts WHERE org != '')"
    " AS orgs)"
)

_SAVE = [
    "CREATE TEMPORARY TABLE keep_feed_entries AS SELECT * FROM feed_entries",
    "CREATE TEMPORARY TABLE keep_document_sources AS "
    "SELECT id, source_id FROM documents WHERE source_id IS NOT NULL",
    "CREATE TEMPORARY TABLE keep_mention_sources AS "
    "SELECT id, source_id FROM mentions WHERE source_id IS NOT NULL",
]
_RESTORE = [
    "DELETE FROM feed_entries",
    "INSERT INTO feed_entries SELECT * FROM keep_feed_entries",
    "UPDATE documents SET source_id = (SELECT k.source_id FROM keep_document_sources AS k "
    "WHERE k.id = documents.id) WHERE id IN (SELECT id FROM keep_document_sources)",
    "UPDATE mentions SET source_id = (SELECT k.source_id FROM keep_mention_sources AS k "
    "WHERE k.id = mentions.id) WHERE id IN (SELECT id FROM keep_mention_sources)",
    "DROP TABLE keep_feed_entries",
    "DROP TABLE keep_document_sources",
    "DROP TABLE keep_mention_sources",
]


def _rebuild_sources(drop: str, create: tuple[str, list[str]]) -> None:
    """Swap the unique constraint of ``sources``; on SQLite keep what points at a source."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for statement in _SAVE:
            op.execute(statement)
    with op.batch_alter_table("sources", recreate="auto") as batch:
        batch.drop_constraint(drop, type_="unique")
        batch.create_unique_constraint(create[0], create[1])
    if sqlite:
        for statement in _RESTORE:
            op.execute(statement)


def upgrade() -> None:
    for table in ("receipts", "crawl_runs", "blocklist"):
        op.add_column(
            table, sa.Column("org", sa.String(length=200), nullable=False, server_default="")
        )
    op.execute(f"UPDATE receipts SET org = {_ONE_ORG}")  # noqa: S608 (constant SQL)
    op.execute(f"UPDATE crawl_runs SET org = {_ONE_ORG}")  # noqa: S608 (constant SQL)
    op.create_index("ix_crawl_runs_org", "crawl_runs", ["org"])
    with op.batch_alter_table("blocklist", recreate="auto") as batch:
        batch.drop_constraint("uq_blocklist_kind_value", type_="unique")
        batch.create_unique_constraint("uq_blocklist_org_kind_value", ["org", "kind", "value"])
    _rebuild_sources("uq_sources_url", ("uq_sources_org_url", ["org", "url"]))


def downgrade() -> None:
    _rebuild_sources("uq_sources_org_url", ("uq_sources_url", ["url"]))
    with op.batch_alter_table("blocklist", recreate="auto") as batch:
        batch.drop_constraint("uq_blocklist_org_kind_value", type_="unique")
        batch.create_unique_constraint("uq_blocklist_kind_value", ["kind", "value"])
    op.drop_index("ix_crawl_runs_org", table_name="crawl_runs")
    for table in ("crawl_runs", "receipts"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN org")
    with op.batch_alter_table("blocklist", recreate="auto") as batch:
        batch.drop_column("org")
