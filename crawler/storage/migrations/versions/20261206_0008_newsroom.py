"""newsroom: users, API tokens, triage, full-text search (#20)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:30:00

The web app's tables: ``users`` (argon2 hashes, role, failed-login lock-out), ``api_tokens``
(sha256 of the token, never the token), ``app_secrets`` (the session-signing key, shared by
every web process on the database), ``mentions.triage`` with ``triage_events`` (who changed
what, so every change is undoable), and full-text search over the documents' title and text:
an external-content FTS5 table kept in sync by triggers on SQLite, a generated ``tsvector``
column with a GIN index on PostgreSQL. Both index the same capped text with no stemming
(``unicode61`` / ``simple``), so a search gives the same finds on both.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Index at most this many characters of a title and a text: a 1 MB page must not blow the
# tsvector limit (1 MB) on PostgreSQL, and both databases must index the same words.
TITLE_CAP = 2000
TEXT_CAP = 100000

_FTS_ROW = f"substr({{p}}.title, 1, {TITLE_CAP}), substr({{p}}.text, 1, {TEXT_CAP})"

SQLITE_UP = [
    "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "INSERT INTO documents_fts(rowid, title, text) SELECT d.id, "
    + _FTS_ROW.format(p="d")
    + " FROM documents AS d",
    "CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN "
    "INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, "
    + _FTS_ROW.format(p="new")
    + "); END",
    "CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, "
    + _FTS_ROW.format(p="old")
    + "); END",
    "CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, text ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, "
    + _FTS_ROW.format(p="old")
    + "); INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, "
    + _FTS_ROW.format(p="new")
    + "); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS documents_fts_au",
    "DROP TRIGGER IF EXISTS documents_fts_ad",
    "DROP TRIGGER IF EXISTS documents_fts_ai",
    "DROP TABLE IF EXISTS documents_fts",
]
POSTGRES_UP = [
    "ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS "
    f"(to_tsvector('simple'::regconfig, left(coalesce(title, ''), {TITLE_CAP}) || ' ' || "
    f"left(coalesce(text, ''), {TEXT_CAP}))) STORED",
    "CREATE INDEX ix_documents_search ON documents USING gin (search)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_documents_search",
    "ALTER TABLE documents DROP COLUMN IF EXISTS search",
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("orgs", sa.JSON(), nullable=False),
        sa.Column("auth_version", sa.Integer(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("org", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "app_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_secrets")),
        sa.UniqueConstraint("name", name=op.f("uq_app_secrets_name")),
    )
    op.create_table(
        "triage_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("old", sa.String(length=20), nullable=True),
        sa.Column("new", sa.String(length=20), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_triage_events_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_events")),
    )
    op.create_index(op.f("ix_triage_events_batch"), "triage_events", ["batch"], unique=False)
    op.create_index(
        op.f("ix_triage_events_mention_id"), "triage_events", ["mention_id"], unique=False
    )
    op.add_column("mentions", sa.Column("triage", sa.String(length=20), nullable=True))
    # The inbox pages by (first_seen_at, id) newest first; a crawl stores a whole batch with
    # one first_seen_at, so without id in the index every page sorts the whole tie.
    op.create_index(
        "ix_mentions_org_first_seen_at_id", "mentions", ["org", "first_seen_at", "id"]
    )
    bind = op.get_bind()
    for statement in SQLITE_UP if bind.dialect.name == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in SQLITE_DOWN if bind.dialect.name == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_index("ix_mentions_org_first_seen_at_id", table_name="mentions")
    # Plain DROP COLUMN, not a batch rebuild of ``mentions`` (whose drop would cascade).
    op.execute("ALTER TABLE mentions DROP COLUMN triage")
    op.drop_index(op.f("ix_triage_events_mention_id"), table_name="triage_events")
    op.drop_index(op.f("ix_triage_events_batch"), table_name="triage_events")
    op.drop_table("triage_events")
    op.drop_table("app_secrets")
    op.drop_table("api_tokens")
    op.drop_table("users")
