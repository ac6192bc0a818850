"""Migration 0013 (#21): two new tables; existing sources are kept and can be subscribed, and
the downgrade drops only the new tables (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import alembic_config, upgrade
from crawler.storage.websub import request, subscriptions

NOW = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)


def test_upgrade_keeps_sources_and_downgrade_drops_only_websub(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0009")
    with engine.begin() as conn:  # core insert of 0009's columns, relying on server defaults
        conn.execute(
            text(
                "INSERT INTO sources (url, org, name, kind, type, weight, language, "
                "configured_url, discovered, etag, last_modified, body_hash, interval_seconds, "
                "failures, health, last_error, disabled_reason, redirect_url, redirect_count, "
                "entries_total, events, created_at) VALUES (:u, 'O', 'wire', 'press', 'feed', 1, "
                "'', :u, '[]', '', '', '', 3600, 0, 'ok', '', '', '', 0, 0, '[]', :t)"
            ),
            {"u": "https://news.example/feed/", "t": NOW},
        )
    upgrade(engine)
    with session_scope(engine) as session:
        source_id = int(session.execute(text("SELECT id FROM sources")).scalar_one())
        request(
            session, "O", source_id, "https://news.example/feed/", "https://hub.example/",
            state="subscribing", token="t" * 43, secret="s", now=NOW,
        )  # fmt: skip
    with session_scope(engine) as session:
        (sub,) = subscriptions(session, "O")
        assert (sub.source_id, sub.state, sub.token) == (source_id, "subscribing", "t" * 43)
    command.downgrade(alembic_config(engine), "0009")
    names = set(inspect(engine).get_table_names())
    assert not {"websub_subscriptions", "websub_checks"} & names
    with engine.connect() as conn:
        assert conn.execute(text("SELECT url FROM sources")).scalars().all() == [
            "https://news.example/feed/"
        ]
    engine.dispose()
