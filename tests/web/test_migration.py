"""Migration 0008 (#20) goes down and up again on both databases, and indexes documents
that were stored before it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from crawler.storage.db import session_scope
from crawler.storage.inbox import InboxFilter, inbox_page
from crawler.storage.migrate import alembic_config, current_revision, upgrade
from tests.web.factories import find, store


def _down_to_0005(engine: Engine) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")


def test_down_and_up_again_indexes_existing_documents(engine: Engine) -> None:
    _down_to_0005(engine)
    assert current_revision(engine) == "0005"
    tables = set(inspect(engine).get_table_names())
    assert not {"users", "api_tokens", "triage_events", "documents_fts"} & tables
    # A document stored before 0008 (written with the 0005 schema's columns only).
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO documents (canonical_url, url, title, author, site, language, "
                "fetched_at, text, text_hash) VALUES ('https://old.example/', "
                "'https://old.example/', 'Zeppelin history', '', 'old.example', 'en', "
                ":now, 'Airships of old', '')"
            ),
            {"now": "2026-11-01 00:00:00"},
        )
    upgrade(engine, "0013")  # 0014 drops SQLite's per-document index again (its own test)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            hits = conn.execute(
                text("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'airships'")
            ).scalar()
        else:
            hits = conn.execute(
                text(
                    "SELECT count(*) FROM documents "
                    "WHERE search @@ to_tsquery('simple', 'airships')"
                )
            ).scalar()
    assert hits == 1
    upgrade(engine)
    store(engine, [find(1, title="New zeppelin")])
    with session_scope(engine) as s:
        found = inbox_page(s, InboxFilter(search="zeppelin")).items
    assert [m.title for m in found] == ["New zeppelin"]  # only mentions are finds
