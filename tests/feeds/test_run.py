"""Planning a poll run: fetch URLs, effective-URL dedupe, conditional or not, discovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.feeds.policy import PollLimits
from crawler.runs.poll import build_tasks, fetch_url
from crawler.storage.models import SourceRow

NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)


def row(id_: int, url: str, **kw: Any) -> SourceRow:
    values: dict[str, Any] = {
        "id": id_,
        "url": url,
        "name": f"s{id_}",
        "type": "feed",
        "etag": "",
        "last_modified": "",
        "body_hash": "",
        "redirect_url": "",
        "discovered": [],
        "events": [],
        "entries_total": 0,
    }
    values.update(kw)
    return SourceRow(**values)


def test_fetch_url_prefers_discovered_feeds_and_sitemaps_for_sites() -> None:
    feed = {"url": "https://a.test/feed/", "type": "rss"}
    sitemap = {"url": "https://a.test/sitemap.xml", "type": "sitemap"}
    assert fetch_url(row(1, "https://a.test/", discovered=[feed])) == "https://a.test/feed/"
    site = row(2, "https://a.test/", type="site", discovered=[sitemap])
    assert fetch_url(site) == "https://a.test/sitemap.xml"
    assert fetch_url(row(3, "https://a.test/rss")) == "https://a.test/rss"


def test_sources_with_the_same_effective_url_share_one_fetch() -> None:
    rows = [
        row(1, "https://a.test/old", redirect_url="https://a.test/rss"),
        row(2, "https://a.test/rss", etag='"x"'),
        row(3, "https://b.test/rss"),
    ]
    tasks = build_tasks(rows, NOW, PollLimits())
    assert [(t.source_id, t.also_for) for t in tasks] == [(1, (2,)), (3, ())]


def test_validators_and_discovery_flags() -> None:
    recent = [{"at": (NOW - timedelta(hours=1)).isoformat(), "code": 200}]
    known = row(1, "https://a.test/rss", etag='"x"', events=recent, entries_total=5)
    new = row(2, "https://b.test/")
    (a, b) = build_tasks([known, new], NOW, PollLimits())
    assert a.conditional
    assert a.etag == '"x"'
    assert not a.discover
    assert b.discover
    assert not b.conditional
    (off,) = build_tasks([known], NOW, PollLimits(), conditional=False)
    assert not off.conditional
    assert off.body_hash == ""
