"""mention search in newest-first order on SQLite (#20)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:40:00

A search on SQLite materialised every matching document before the inbox's newest-first walk,
so a common word cost in proportion to the archive (3.5-4.9x from 10,000 to 100,000 finds).
This adds a contentless FTS5 table ``mentions_fts`` with one row per *find* (the words of its
document) whose rowid is the find's order key: ``seconds since 2000 of first_seen_at * 2**31
+ id``. FTS5 returns matches in rowid order and stops early (``ORDER BY rowid DESC LIMIT``),
so a page of a search reads about one page of matches whatever the archive's size. Prefix
indexes for 2, 3 and 4 characters make ``cou*`` one term that FTS5 also walks lazily (without
them FTS5 merges every matching word's whole list first: 28 ms at 100,000 finds against
0.4 ms); they cost index size (3.9x on the bench's corpus). A longer prefix still merges.

Contentless (the text is not stored twice); SQLite 3.40 has no ``contentless_delete``, so a
row is removed with the words it was indexed with, which triggers read from ``documents``:
a document's BEFORE DELETE trigger removes its finds' rows (the ON DELETE CASCADE runs after
the document is gone, and the finds' own trigger then finds no document and does nothing).
PostgreSQL needs nothing: its GIN index and planner already stay flat.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# As migration 0008: the same capped text, so both databases search the same words.
TITLE_CAP = 2000
TEXT_CAP = 100000
# crawler.storage.search.ORDER_KEY_SPAN and ORDER_KEY_EPOCH (a migration is frozen history,
# so the numbers are written out; a test checks they agree).
SPAN = 2**31
EPOCH = 946684800


def _key(p: str) -> str:
    return (
        f"(max(0, CAST(strftime('%s', {p}.first_seen_at) AS INTEGER) - {EPOCH}) * {SPAN}"
        f" + {p}.id)"
    )


def _words(d: str) -> str:
    return f"substr({d}.title, 1, {TITLE_CAP}), substr({d}.text, 1, {TEXT_CAP})"


def _add(m: str) -> str:
    return (
        f"INSERT INTO mentions_fts(rowid, title, text) SELECT {_key(m)}, {_words('d')} "
        f"FROM documents AS d WHERE d.id = {m}.document_id"
    )


def _remove(m: str) -> str:
    return (
        "INSERT INTO mentions_fts(mentions_fts, rowid, title, text) "
        f"SELECT 'delete', {_key(m)}, {_words('d')} FROM documents AS d "
        f"WHERE d.id = {m}.document_id"
    )


SQLITE_UP = [
    "CREATE VIRTUAL TABLE mentions_fts USING fts5(title, text, content='', prefix='2 3 4', "
    "tokenize='unicode61 remove_diacritics 0')",
    # The finds stored before this migration.
    f"INSERT INTO mentions_fts(rowid, title, text) SELECT {_key('m')}, {_words('d')} "
    "FROM mentions AS m JOIN documents AS d ON d.id = m.document_id",
    f"CREATE TRIGGER mentions_fts_ai AFTER INSERT ON mentions BEGIN {_add('new')}; END",
    f"CREATE TRIGGER mentions_fts_ad AFTER DELETE ON mentions BEGIN {_remove('old')}; END",
    "CREATE TRIGGER mentions_fts_au AFTER UPDATE OF first_seen_at, document_id ON mentions "
    f"BEGIN {_remove('old')}; {_add('new')}; END",
    "CREATE TRIGGER documents_mentions_fts_bd BEFORE DELETE ON documents BEGIN "
    "INSERT INTO mentions_fts(mentions_fts, rowid, title, text) "
    f"SELECT 'delete', {_key('m')}, {_words('old')} FROM mentions AS m "
    "WHERE m.document_id = old.id; END",
    "CREATE TRIGGER documents_mentions_fts_au AFTER UPDATE OF title, text ON documents BEGIN "
    "INSERT INTO mentions_fts(mentions_fts, rowid, title, text) "
    f"SELECT 'delete', {_key('m')}, {_words('old')} FROM mentions AS m "
    "WHERE m.document_id = old.id; "
    f"INSERT INTO mentions_fts(rowid, title, text) SELECT {_key('m')}, {_words('new')} "
    "FROM mentions AS m WHERE m.document_id = new.id; END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS documents_mentions_fts_au",
    "DROP TRIGGER IF EXISTS documents_mentions_fts_bd",
    "DROP TRIGGER IF EXISTS mentions_fts_au",
    "DROP TRIGGER IF EXISTS mentions_fts_ad",
    "DROP TRIGGER IF EXISTS mentions_fts_ai",
    "DROP TABLE IF EXISTS mentions_fts",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
