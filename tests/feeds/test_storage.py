"""Feed storage on SQLite and PostgreSQL: entries stored once, poll state, hosts, posts,
and sources that moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from crawler.config import parse_config
from crawler.domain import Document, Platform, Post
from crawler.feeds.model import FeedEntry
from crawler.storage.db import session_scope
from crawler.storage.feeds import (
    PollUpdate,
    apply_poll_update,
    block_host,
    due_sources,
    host_blocks,
    store_entries,
)
from crawler.storage.mentions import upsert_documents
from crawler.storage.models import DocumentRow, FeedEntryRow, SourceRow
from crawler.storage.posts import list_posts, post_index_entries, upsert_posts
from crawler.storage.sources import source_states, sync_sources

NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)
CONFIG = parse_config(
    {
        "organisation": {"name": "Orbis", "sites": [{"url": "https://blog.orbis.test/"}]},
        "sources": [
            {"name": "Planet", "url": "https://planet.test/rss"},
            {"name": "Meridian", "url": "https://meridian.test/feed"},
        ],
    },
    env={},
)


def entry(n: int, guid: str | None = None, text: str = "summary") -> FeedEntry:
    link = f"https://planet.test/story-{n}"
    return FeedEntry(
        key=f"guid:{guid or n}",
        link=link,
        canonical_url=link + "/",
        guid=guid or str(n),
        title=f"Story {n}",
        text=text,
        published_at=NOW - timedelta(hours=n),
    )


def source_id(engine: Engine, name: str = "Planet") -> int:
    with session_scope(engine) as s:
        sync_sources(s, CONFIG, NOW)
        return s.scalar(select(SourceRow.id).where(SourceRow.name == name))  # type: ignore[return-value]


def test_entries_are_stored_once_even_under_new_guids(engine: Engine) -> None:
    sid = source_id(engine)
    with session_scope(engine) as s:
        first = store_entries(s, sid, [entry(1), entry(2)], NOW, site="Planet")
    assert [e.title for e in first.new] == ["Story 1", "Story 2"]
    with session_scope(engine) as s:
        again = store_entries(s, sid, [entry(1), entry(2), entry(3)], NOW)
        renamed = store_entries(s, sid, [entry(1, guid="new-scheme-1")], NOW)
    assert [e.title for e in again.new] == ["Story 3"]
    assert again.seen == 2
    assert renamed.new == ()
    assert renamed.renamed == 1
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(DocumentRow)) == 3
        assert s.scalar(select(func.count()).select_from(FeedEntryRow)) == 4
        doc = s.scalar(select(DocumentRow).where(DocumentRow.title == "Story 1"))
        assert doc is not None
        assert doc.site == "Planet"
        assert doc.source_id == sid


def test_a_feed_summary_never_overwrites_a_richer_document(engine: Engine) -> None:
    sid = source_id(engine)
    full = Document("https://planet.test/story-1/", "https://planet.test/story-1", "T", text="Full")
    with session_scope(engine) as s:
        upsert_documents(s, [full], NOW)
        store_entries(s, sid, [entry(1, text="summary")], NOW)
    with session_scope(engine) as s:
        doc = s.scalar(select(DocumentRow))
        assert doc is not None
        assert doc.text == "Full"
        assert doc.title == "T"


def test_article_text_upgrades_a_summary(engine: Engine) -> None:
    sid = source_id(engine)
    with session_scope(engine) as s:
        store_entries(s, sid, [entry(1, text="summary")], NOW)
        upsert_documents(
            s,
            [Document("https://planet.test/story-1/", "https://planet.test/story-1", text="Body")],
            NOW,
            source_id=sid,
        )
    with session_scope(engine) as s:
        doc = s.scalar(select(DocumentRow))
        assert doc is not None
        assert doc.text == "Body"
        assert doc.title == "Story 1"


def test_own_entries_are_not_documents(engine: Engine) -> None:
    sid = source_id(engine)
    with session_scope(engine) as s:
        stored = store_entries(s, sid, [entry(1)], NOW, as_documents=False)
    assert len(stored.new) == 1
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(DocumentRow)) == 0
        assert s.scalar(select(FeedEntryRow.document_id)) is None


def update(**kw: object) -> PollUpdate:
    values: dict[str, object] = {
        "checked_at": NOW,
        "next_check_at": NOW + timedelta(hours=1),
        "interval_seconds": 3600,
        "failures": 0.0,
        "health": "ok",
        "last_status": 200,
        "last_error": "",
        "event": {"at": NOW.isoformat(), "status": "HTTP 200"},
    }
    values.update(kw)
    return PollUpdate(**values)  # type: ignore[arg-type]


def test_poll_state_and_events_are_kept_to_the_limit(engine: Engine) -> None:
    sid = source_id(engine)
    with session_scope(engine) as s:
        for i in range(5):
            apply_poll_update(
                s, sid, update(etag=f'W/"{i}"', new_entries=2, event={"n": i}), keep=3
            )
    with session_scope(engine) as s:
        row = s.get(SourceRow, sid)
        assert row is not None
        assert row.etag == 'W/"4"'
        assert row.entries_total == 10
        assert [e["n"] for e in row.events] == [2, 3, 4]


def test_moved_source_keeps_its_row_through_sync(engine: Engine) -> None:
    sid = source_id(engine)
    with session_scope(engine) as s:
        apply_poll_update(s, sid, update(move_to="https://planet.test/new-rss", etag="x"), keep=30)
        sync_sources(s, CONFIG, NOW)
    with session_scope(engine) as s:
        rows = s.scalars(select(SourceRow).where(SourceRow.name == "Planet")).all()
        assert len(rows) == 1
        assert rows[0].url == "https://planet.test/new-rss"
        assert rows[0].configured_url == "https://planet.test/rss"
        assert rows[0].etag == ""  # validators belonged to the old URL


def test_move_onto_an_existing_source_is_refused_with_a_note(engine: Engine) -> None:
    sid = source_id(engine)
    with session_scope(engine) as s:
        note = apply_poll_update(s, sid, update(move_to="https://meridian.test/feed"), keep=30)
    assert "already source" in note


def test_due_sources_by_time_name_and_all(engine: Engine) -> None:
    sid = source_id(engine)
    with session_scope(engine) as s:
        apply_poll_update(s, sid, update(next_check_at=NOW + timedelta(hours=2)), keep=30)
    with session_scope(engine) as s:
        due = {r.name for r in due_sources(s, "Orbis", NOW)}
        assert "Planet" not in due
        assert "Meridian" in due
        assert [r.name for r in due_sources(s, "Orbis", NOW, names=["Planet"])] == ["Planet"]
        assert len(due_sources(s, "Orbis", NOW, all_sources=True)) == 3


def test_host_blocks_keep_the_later_time(engine: Engine) -> None:
    with session_scope(engine) as s:
        block_host(s, "planet.test", NOW + timedelta(hours=2), "429")
        block_host(s, "planet.test", NOW + timedelta(hours=1), "429 again")
        block_host(s, "old.test", NOW - timedelta(hours=1), "over")
    with session_scope(engine) as s:
        assert host_blocks(s, NOW) == {"planet.test": NOW + timedelta(hours=2)}


def test_posts_upsert_list_and_index(engine: Engine) -> None:
    post = Post(
        org="Orbis",
        canonical_url="https://blog.orbis.test/2026/11/09/talks/",
        url="https://blog.orbis.test/2026/11/09/talks/",
        title="Talks",
        published_at=NOW,
        comment_feed_url="https://blog.orbis.test/2026/11/09/talks/feed/",
        comment_count=2,
        platform=Platform.WORDPRESS,
        wp_post_id=101,
    )
    with session_scope(engine) as s:
        upsert_posts(s, [post], NOW, site_url="https://blog.orbis.test/")
        upsert_posts(
            s, [Post("Orbis", post.canonical_url, post.url, "Talks", comment_count=5)], NOW
        )
    with session_scope(engine) as s:
        posts = list_posts(s, "Orbis")
        assert len(posts) == 1
        assert posts[0].comment_count == 5
        assert posts[0].wp_post_id == 101
        assert posts[0].comment_feed_url.endswith("/feed/")
        assert list_posts(s, "Orbis", since=NOW + timedelta(days=1)) == []
        assert post_index_entries(s, "Orbis") == [(post.url, 101)]


def test_status_view_lists_discovered_urls(engine: Engine) -> None:
    sid = source_id(engine)
    found = [{"url": "https://planet.test/feed/", "type": "rss", "title": ""}]
    with session_scope(engine) as s:
        apply_poll_update(s, sid, update(discovered=found, health="dead"), keep=30)
    with session_scope(engine) as s:
        status = {v.name: v for v in source_states(s, "Orbis")}
    assert status["Planet"].discovered == ("https://planet.test/feed/",)
    assert status["Planet"].health == "dead"
    assert status["Planet"].last_event is not None
