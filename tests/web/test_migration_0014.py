"""Migration 0014 (#20): SQLite's unused ``documents_fts`` and its triggers are dropped, the
finds and their search survive, and a downgrade rebuilds the index from the documents (with
its triggers, so later writes are indexed again). PostgreSQL's ``tsvector`` is untouched."""

from __future__ import annotations

from alembic import command
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine

from crawler.storage.db import session_scope
from crawler.storage.inbox import InboxFilter, inbox_page
from crawler.storage.migrate import alembic_config, current_revision, head_revision, upgrade
from crawler.storage.models import DocumentRow, MentionRow
from tests.web.factories import find, store


def _down_to(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _objects(engine: Engine) -> set[str]:
    """Tables and triggers of the search index that 0008 made on SQLite."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name FROM sqlite_master WHERE name LIKE 'documents_fts%'")
        ).scalars()
        return set(rows)


def _counts(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as s:
        return (
            int(s.scalar(select(func.count()).select_from(MentionRow)) or 0),
            int(s.scalar(select(func.count()).select_from(DocumentRow)) or 0),
        )


def _search(engine: Engine, q: str) -> list[str]:
    with session_scope(engine) as s:
        return sorted(m.title for m in inbox_page(s, InboxFilter(search=q)).items)


def _fts_hits(engine: Engine, q: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH :q"), {"q": q}
            ).scalar()
            or 0
        )


def test_sqlite_drops_documents_fts_and_keeps_finds_and_search(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    assert current_revision(engine) == head_revision(engine)  # 0014 and any after it
    assert _objects(engine) == set()  # the table, its shadow tables and triggers are gone
    store(engine, [find(1, title="Zeppelin over the river"), find(2, title="Harbour bridge")])
    before = _counts(engine)

    _down_to(engine, "0013")
    assert {"documents_fts", "documents_fts_ai", "documents_fts_ad", "documents_fts_au"} <= (
        _objects(engine)
    )
    assert _fts_hits(engine, "zeppelin") == 1  # refilled from the documents
    store(engine, [find(3, title="Another zeppelin")])
    assert _fts_hits(engine, "zeppelin") == 2  # the insert trigger is back
    assert _counts(engine) == (before[0] + 1, before[1] + 1)

    upgrade(engine)
    assert _objects(engine) == set()
    assert _counts(engine) == (before[0] + 1, before[1] + 1)
    assert _search(engine, "zeppelin") == ["Another zeppelin", "Zeppelin over the river"]
    store(engine, [find(4, title="Zeppelin lands")])  # writes work without the triggers
    assert len(_search(engine, "zeppelin")) == 3


def test_down_and_up_keeps_search_on_both_databases(engine: Engine) -> None:
    """On both databases: 0014 down and up again keeps the finds and the search's answers."""
    store(engine, [find(1, title="Zeppelin over the river"), find(2, title="Harbour bridge")])
    _down_to(engine, "0013")
    upgrade(engine)
    assert _search(engine, "zeppelin") == ["Zeppelin over the river"]
    columns = {c["name"] for c in inspect(engine).get_columns("documents")}
    assert ("search" in columns) == (engine.dialect.name == "postgresql")
