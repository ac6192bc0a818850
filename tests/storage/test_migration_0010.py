"""Migration 0010 (#16): sources unique per (org, url); receipts, crawl_runs and blocklist
carry their organisation. A database of one organisation keeps every row through the
upgrade (on SQLite the rebuild of ``sources`` must not cascade into its feed entries, nor
forget the documents' and mentions' source), on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from crawler.storage.db import session_scope
from crawler.storage.migrate import alembic_config, current_revision, head_revision, upgrade
from crawler.storage.models import (
    BlockRow,
    CrawlRunRow,
    DocumentRow,
    FeedEntryRow,
    MentionRow,
    ReceiptRow,
    SourceRow,
)

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
ORG = "Orbital Registry Agency"


def _down_to_0009(engine: Engine) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")


def _fill_0009(engine: Engine) -> dict[str, int]:
    """One organisation's rows as the 0009 schema holds them."""
    with session_scope(engine) as s:
        source = SourceRow(
            url="https://wire.example/feed", org=ORG, name="wire", kind="press", created_at=NOW
        )
        s.add(source)
        s.flush()
        doc = DocumentRow(
            canonical_url="https://wire.example/a", url="https://wire.example/a",
            fetched_at=NOW, source_id=source.id,
        )  # fmt: skip
        s.add(doc)
        s.flush()
        s.add(
            FeedEntryRow(
                source_id=source.id, entry_key="a", link=doc.url, document_id=doc.id,
                first_seen_at=NOW,
            )
        )  # fmt: skip
        mention = MentionRow(
            org=ORG, document_id=doc.id, kind="press", target="", source_id=source.id,
            found_via="poll", first_seen_at=NOW, last_seen_at=NOW, triage=None,
        )  # fmt: skip
        s.add(mention)
        s.flush()
        ids = {"source": source.id, "document": doc.id, "mention": mention.id}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO receipts (protocol, source, target, received_at, remote_addr, "
                "state, reason, attempts, payload, sender) VALUES ('pingback', "
                "'https://a.example/', 'https://blog.example/p/', :now, '', 'queued', '', 0, "
                "'{}', 'a.example')"
            ),
            {"now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO crawl_runs (job, started_at, stats, error) "
                "VALUES ('poll', :now, '{}', '')"
            ),
            {"now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO blocklist (kind, value, reason, created_at) "
                "VALUES ('domain', 'spam.example', 'spam', :now)"
            ),
            {"now": NOW},
        )
    return ids


def test_upgrade_keeps_one_organisations_rows(engine: Engine) -> None:
    _down_to_0009(engine)
    assert current_revision(engine) == "0009"
    ids = _fill_0009(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    with session_scope(engine) as s:
        entry = s.scalars(select(FeedEntryRow)).one()  # not cascaded away by the rebuild
        assert (entry.source_id, entry.document_id) == (ids["source"], ids["document"])
        assert s.get(DocumentRow, ids["document"]).source_id == ids["source"]  # type: ignore[union-attr]
        assert s.get(MentionRow, ids["mention"]).source_id == ids["source"]  # type: ignore[union-attr]
        assert s.get(SourceRow, ids["source"]).org == ORG  # type: ignore[union-attr]
        # The database's one organisation is given to its receipts and runs ...
        assert s.scalars(select(ReceiptRow.org)).one() == ORG
        assert s.scalars(select(CrawlRunRow.org)).one() == ORG
        # ... and a block made before organisations were recorded blocks for every one.
        assert s.scalars(select(BlockRow.org)).one() == ""


def test_two_organisations_may_watch_one_url_but_not_twice(engine: Engine) -> None:
    url = "https://wire.example/feed"
    with session_scope(engine) as s:
        for org in ("A", "B"):
            s.add(SourceRow(url=url, org=org, name="wire", kind="press", created_at=NOW))
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(SourceRow(url=url, org="A", name="again", kind="press", created_at=NOW))


def test_down_and_up_again_keeps_the_rows(engine: Engine) -> None:
    _down_to_0009(engine)
    ids = _fill_0009(engine)
    upgrade(engine)
    _down_to_0009(engine)  # the downgrade rebuilds sources too
    upgrade(engine)
    with session_scope(engine) as s:
        assert s.scalars(select(FeedEntryRow.source_id)).one() == ids["source"]
        assert s.get(MentionRow, ids["mention"]).source_id == ids["source"]  # type: ignore[union-attr]
