"""A search pages in the inbox's exact newest-first order (#20, item 9): on SQLite it walks
``mentions_fts`` by its order key (migration 0011), which sorts by the second only, so finds of
one second stored out of order, a crawl batch sharing one time and a find moved earlier must
still come out as (first_seen_at, id) says, page after page, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

from alembic import command
from sqlalchemy import delete, inspect, text, update
from sqlalchemy.engine import Engine

from crawler.storage.db import session_scope
from crawler.storage.inbox import InboxFilter, inbox_page, volume_by_day
from crawler.storage.mentions import record_mentions
from crawler.storage.migrate import alembic_config, upgrade
from crawler.storage.models import DocumentRow, MentionRow
from crawler.storage.search import ORDER_KEY_EPOCH, ORDER_KEY_SPAN, order_key_floor
from tests.web.factories import NOW, find

MIGRATION = "crawler.storage.migrations.versions.20261206_0011_mention_search_order"


def _store_at(engine: Engine, numbers: list[int], at: datetime, **kw: str) -> None:
    with session_scope(engine) as s:
        record_mentions(s, [find(n, **kw) for n in numbers], at)


def _fill(engine: Engine) -> None:
    """Finds whose ids disagree with their times inside one second, a batch of five sharing
    one time, a find without the searched word, and one moved two days earlier."""
    _store_at(engine, [1], NOW - timedelta(days=1))
    # Three finds of one second stored latest first: their ids run against their times.
    _store_at(engine, [2], NOW + timedelta(seconds=0.9))
    _store_at(engine, [3], NOW + timedelta(seconds=0.5))
    _store_at(engine, [11], NOW + timedelta(seconds=0.1))
    _store_at(engine, [4, 5, 6, 7, 8], NOW + timedelta(minutes=1))
    _store_at(engine, [9], NOW + timedelta(minutes=2), text="Nothing to see.")
    _store_at(engine, [10], NOW + timedelta(minutes=3))
    with session_scope(engine) as s:
        s.execute(
            update(MentionRow)
            .where(MentionRow.document_id.in_(_doc_ids(engine, "/a/10/")))
            .values(first_seen_at=NOW - timedelta(days=2))
        )


def _doc_ids(engine: Engine, url_part: str) -> list[int]:
    with session_scope(engine) as s:
        rows = s.query(DocumentRow.id).filter(DocumentRow.url.contains(url_part)).all()
    return [r.id for r in rows]


def _walk(engine: Engine, f: InboxFilter, limit: int) -> list[int]:
    """Article numbers page after page by cursor."""
    out: list[int] = []
    cursor = None
    for _ in range(50):
        with session_scope(engine) as s:
            page = inbox_page(s, f, after=cursor, limit=limit)
        out += [int(i.url.rstrip("/").rsplit("/", 1)[1]) for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return out
    raise AssertionError("the cursor never ended")


def test_search_pages_in_exact_newest_first_order(engine: Engine) -> None:
    _fill(engine)
    expected = [8, 7, 6, 5, 4, 2, 3, 11, 1, 10]  # 9 lacks the word
    for limit in (1, 2, 3, 50):
        assert _walk(engine, InboxFilter(search="orbis"), limit) == expected, limit
        assert _walk(engine, InboxFilter(search="orb*", kinds=("press",)), limit) == expected
    browse = _walk(engine, InboxFilter(), 2)
    assert [n for n in browse if n != 9] == expected


def test_volume_of_a_search_counts_only_its_window(engine: Engine) -> None:
    _fill(engine)
    f = InboxFilter(search="orbis")
    day = NOW.date()
    with session_scope(engine) as s:
        wide = volume_by_day(s, f, NOW - timedelta(hours=1), NOW + timedelta(minutes=5))
        # A window ending inside a second: 11 (at .1) is in, 3 (at .5) and 2 (at .9) are not.
        narrow = volume_by_day(s, f, NOW, NOW + timedelta(seconds=0.5))
        everything = volume_by_day(
            s, InboxFilter(), NOW - timedelta(days=3), NOW + timedelta(days=1)
        )
    assert wide == {(day, "org"): 8}
    assert narrow == {(day, "org"): 1}
    assert sum(everything.values()) == 11


def test_order_key_matches_the_index_and_follows_moves(sqlite_engine: Engine) -> None:
    _fill(sqlite_engine)
    wordless = _doc_ids(sqlite_engine, "/a/9/")
    with session_scope(sqlite_engine) as s:
        finds = (
            s.query(MentionRow.id, MentionRow.first_seen_at)
            .filter(MentionRow.document_id.not_in(wordless))
            .all()
        )
        keys = s.execute(
            text("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH 'orbis'")
        ).scalars()
        assert set(keys) == {order_key_floor(at) + i for i, at in finds}
    assert len(finds) == 10  # the moved find's key follows its new first_seen_at


def test_document_delete_and_update_leave_no_stale_rows(sqlite_engine: Engine) -> None:
    _fill(sqlite_engine)
    with session_scope(sqlite_engine) as s:
        s.execute(delete(DocumentRow).where(DocumentRow.url.contains("/a/5/")))
        s.execute(
            update(DocumentRow).where(DocumentRow.url.contains("/a/6/")).values(text="Zeppelin.")
        )
        s.execute(
            delete(MentionRow).where(MentionRow.document_id.in_(_doc_ids(sqlite_engine, "/a/7/")))
        )
    assert _walk(sqlite_engine, InboxFilter(search="orbis"), 2) == [8, 4, 2, 3, 11, 1, 10]
    assert _walk(sqlite_engine, InboxFilter(search="zeppelin"), 2) == [6]
    with session_scope(sqlite_engine) as s:
        rows = s.execute(text("SELECT count(*) FROM mentions_fts")).scalar()
        finds = s.query(MentionRow).count()
        s.execute(text("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')"))
    assert rows == finds == 9


def test_migration_indexes_existing_finds_and_goes_down(sqlite_engine: Engine) -> None:
    cfg = alembic_config(sqlite_engine)
    with sqlite_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    assert "mentions_fts" not in inspect(sqlite_engine).get_table_names()
    _store_at(sqlite_engine, [1, 2], NOW)
    upgrade(sqlite_engine)
    assert _walk(sqlite_engine, InboxFilter(search="orbis"), 1) == [2, 1]
    _store_at(sqlite_engine, [3], NOW + timedelta(minutes=1))
    assert _walk(sqlite_engine, InboxFilter(search="orbis"), 1) == [3, 2, 1]


def test_migration_writes_the_same_key_as_the_search() -> None:
    module = __import__(MIGRATION, fromlist=["SPAN", "EPOCH"])
    assert (module.SPAN, module.EPOCH) == (ORDER_KEY_SPAN, ORDER_KEY_EPOCH)
