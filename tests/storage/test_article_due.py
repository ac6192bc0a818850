"""Article pages due across runs (#18): an entry whose page is not read yet stays due with its
feed row, is read by the next poll whatever the feed answers, and a page that keeps failing
transiently is given up after ``MAX_ARTICLE_ATTEMPTS`` tries. Both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from crawler.feeds.model import FeedEntry, entry_from_json, entry_to_json
from crawler.storage.db import session_scope
from crawler.storage.feeds import (
    MAX_ARTICLE_ATTEMPTS,
    article_failed,
    article_read,
    due_articles,
    mark_articles_due,
    store_entries,
)
from crawler.storage.models import SourceRow

NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def _entry(n: int) -> FeedEntry:
    url = f"https://paper.test/story-{n}"
    return FeedEntry(
        key=f"guid-{n}",
        link=url,
        canonical_url=url,
        title=f"Story {n}",
        published_at=NOW,
        summary="a summary",
        text="a summary",
        content_html="<p>a <a href='https://orbis.test/'>link</a></p>",
    )


def _source(engine: Engine, name: str, org: str = "Orbis", disabled: str = "") -> int:
    with session_scope(engine) as session:
        row = SourceRow(
            url=f"https://{name}.test/feed",
            org=org,
            name=name,
            kind="press",
            disabled_reason=disabled,
            created_at=NOW,
        )
        session.add(row)
        session.flush()
        return row.id


def test_an_entry_round_trips_through_its_json_form() -> None:
    entry = _entry(1)
    assert entry_from_json(entry_to_json(entry)) == entry
    assert entry_from_json({**entry_to_json(entry), "from_a_later_version": 1}) == entry
    undated = FeedEntry(key="k", link="https://x.test/", canonical_url="https://x.test/")
    assert entry_from_json(entry_to_json(undated)) == undated


def test_due_until_read_and_given_up_after_repeated_transient_failures(engine: Engine) -> None:
    paper = _source(engine, "paper")
    other = _source(engine, "other")
    off = _source(engine, "off", disabled="dead")
    entries = [_entry(n) for n in range(3)]
    with session_scope(engine) as session:
        for source in (paper, other, off):
            store_entries(session, source, entries, NOW)
        mark_articles_due(session, paper, {e.key: entry_to_json(e) for e in entries})
        mark_articles_due(session, other, {entries[0].key: entry_to_json(entries[0])})
        mark_articles_due(session, off, {entries[0].key: entry_to_json(entries[0])})
    with session_scope(engine) as session:
        due = due_articles(session, "Orbis")
        assert [(s, entry_from_json(d)) for s, d in due] == [
            (paper, entries[0]),
            (paper, entries[1]),
            (paper, entries[2]),
            (other, entries[0]),
        ]  # never a disabled source's
        assert [s for s, _ in due_articles(session, "Orbis", ["other"])] == [other]
        assert due_articles(session, "Another org") == []
    with session_scope(engine) as session:  # read once: due for no source of that link
        article_read(session, entries[0].canonical_url)
    with session_scope(engine) as session:
        assert [entry_from_json(d) for _, d in due_articles(session, "Orbis")] == entries[1:]
    for attempt in range(1, MAX_ARTICLE_ATTEMPTS + 1):
        with session_scope(engine) as session:
            still = article_failed(session, entries[1].canonical_url)
        assert still is (attempt < MAX_ARTICLE_ATTEMPTS)
    with session_scope(engine) as session:
        assert [entry_from_json(d) for _, d in due_articles(session, "Orbis")] == [entries[2]]
        assert article_failed(session, "https://paper.test/never-due") is False
