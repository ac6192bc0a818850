"""Storage for issue #15, on SQLite and PostgreSQL: sources added from outside the config
(OPML import, ``sources add``) are inserted once and never disturb configured ones, and
entries without a URL are stored as documents under their feed-scoped key, once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from crawler.domain import SourceType
from crawler.feeds.parse import parse_feed
from crawler.storage.db import session_scope
from crawler.storage.feeds import store_entries
from crawler.storage.models import DocumentRow, SourceRow
from crawler.storage.sources import (
    SourceSpec,
    add_sources,
    get_source_by_url,
    list_sources,
    sync_sources,
)
from tests.feeds.test_storage import CONFIG, NOW, source_id


def spec(n: int, kind: str = "press") -> SourceSpec:
    return SourceSpec(f"https://s{n}.example/rss", f"Feed {n}", kind, SourceType.FEED)


def test_added_sources_are_inserted_once(engine: Engine) -> None:
    with session_scope(engine) as s:
        sync_sources(s, CONFIG, NOW)
        configured = {r.url: (r.name, r.kind) for r in list_sources(s)}
    planet = SourceSpec("https://planet.test/rss", "Renamed by OPML", "blog", SourceType.FEED)
    with session_scope(engine) as s:
        added = add_sources(s, "Orbis", [spec(1), spec(2, "blog"), planet], NOW)
    assert added == 2
    with session_scope(engine) as s:
        again = add_sources(s, "Orbis", [spec(1), spec(2, "blog"), spec(3)], NOW)
        rows = {r.url: (r.name, r.kind, r.org) for r in list_sources(s, "Orbis")}
        found = get_source_by_url(s, "https://s2.example/rss")
        assert found is not None
        assert (found.name, found.next_check_at) == ("Feed 2", NOW)
    assert again == 1
    assert rows["https://s2.example/rss"] == ("Feed 2", "blog", "Orbis")
    for url, (name, kind) in configured.items():  # the config's sources are untouched
        assert rows[url][:2] == (name, kind)
    with session_scope(engine) as s:
        sync_sources(s, CONFIG, NOW)  # and a config sync leaves the added ones alone
        assert s.scalar(select(func.count()).select_from(SourceRow)) == len(configured) + 3


def test_linkless_entries_are_stored_once_under_their_feed_scoped_key(engine: Engine) -> None:
    body = (
        b'<rss version="2.0"><channel><title>Planet</title>'
        b'<item><title>No link</title><guid isPermaLink="false">n-1</guid>'
        b"<description>Orbis said so.</description></item>"
        b"<item><title>Linked</title><link>https://planet.test/linked</link></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(body, url="https://planet.test/rss", now=datetime(2026, 11, 10, tzinfo=UTC))
    sid = source_id(engine)
    with session_scope(engine) as s:
        first = store_entries(s, sid, feed.entries, NOW, site="Planet")
    with session_scope(engine) as s:
        second = store_entries(s, sid, feed.entries, NOW, site="Planet")
        docs = {d.canonical_url: (d.url, d.title, d.text) for d in s.scalars(select(DocumentRow))}
    assert len(first.new) == 2
    assert second.new == ()
    linkless = feed.entries[0].canonical_url
    assert linkless.startswith("https://planet.test/rss/#entry-")  # the canonical feed URL
    assert docs[linkless] == ("", "No link", "Orbis said so.")
