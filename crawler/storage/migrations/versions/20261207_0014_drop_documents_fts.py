"""drop the unused per-document search index on SQLite (#20)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:30:00

Since 0011 every search on SQLite reads ``mentions_fts`` (one row per find, in the inbox's
order); ``documents_fts`` from 0008 is no longer read by anything, yet its three triggers
still rewrite it on every insert, update and delete of a document: a second copy of every
crawled text's words for nothing. This drops the table and its triggers. Downgrading
recreates them as 0008 made them and refills the index from ``documents``. PostgreSQL's
``tsvector`` column is still what searches there and is kept.
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# As migration 0008 (a migration is frozen history, so its statements are written out).
TITLE_CAP = 2000
TEXT_CAP = 100000
_FTS_ROW = f"substr({{p}}.title, 1, {TITLE_CAP}), substr({{p}}.text, 1, {TEXT_CAP})"

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS documents_fts_au",
    "DROP TRIGGER IF EXISTS documents_fts_ad",
    "DROP TRIGGER IF EXISTS documents_fts_ai",
    "DROP TABLE IF EXISTS documents_fts",
]
SQLITE_DOWN = [
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


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
