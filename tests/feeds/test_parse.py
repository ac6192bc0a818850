"""Golden-file tests for feed parsing: every format, and every kind of bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.feeds.parse import feed_hints, parse_feed

DATA = Path(__file__).parents[1] / "data" / "feeds"
NOW = datetime(2026, 11, 10, tzinfo=UTC)


def parse(name: str, content_type: str = "application/xml", **kw: object):
    body = (DATA / name).read_bytes()
    return parse_feed(
        body,
        url=f"https://feeds.test/{name}",
        headers={"Content-Type": content_type},
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("rss091.xml", "rss091n", 2),
        ("rss10.rdf", "rss10", 2),
        ("rss20.xml", "rss20", 4),
        ("atom03.xml", "atom03", 1),
        ("atom10.xml", "atom10", 2),
        ("jsonfeed11.json", "json11", 3),  # the item without a URL is kept (#15)
    ],
)
def test_every_format_parses(name: str, fmt: str, count: int) -> None:
    feed = parse(name)
    assert feed.format == fmt
    assert feed.ok
    assert not feed.error
    assert len(feed.entries) == count
    assert all(e.canonical_url.startswith("http") and e.key for e in feed.entries)


def test_rss20_fields_and_wordpress_extras() -> None:
    feed = parse("rss20.xml")
    first = feed.entries[0]
    assert first.title == "Spectrum talks & the WOSC-27 agenda"
    assert first.author == "Orbis Press Office"
    assert first.published_at == datetime(2026, 11, 9, 9, tzinfo=UTC)
    assert first.has_full_text
    assert first.wp_post_id == 101
    assert first.comment_count == 4
    assert first.comment_feed_url == "https://blog.orbis.test/2026/11/09/spectrum-talks/feed/"
    assert first.language == "en-GB"
    assert feed.hints.ttl_seconds == 7200


def test_relative_links_are_resolved_against_the_feed_url() -> None:
    entry = parse("rss20.xml").entries[1]
    assert entry.link == "https://feeds.test/2026/11/05/relative/"
    assert entry.comment_feed_url == "https://feeds.test/2026/11/05/relative/feed/"
    assert not entry.has_full_text  # a summary only: the article page will be fetched


def test_missing_date_is_none_and_future_date_is_clamped() -> None:
    feed = parse("rss20.xml")
    undated, future = feed.entries[2], feed.entries[3]
    assert undated.published_at is None
    assert future.published_at == NOW
    assert future.date_in_future
    assert feed.future_dates == 1


def test_json_feed_reads_authors_dates_and_keeps_items_without_url() -> None:
    feed = parse("jsonfeed11.json", "application/feed+json")
    first, second, third = feed.entries
    assert first.author == "Marco Rossi"
    assert first.has_full_text
    assert first.canonical_url == "https://gazzetta.test/cronaca/porto/"  # utm_ dropped
    assert second.author == "Redazione"  # the feed's author
    assert second.link == "https://feeds.test/cultura/mostra"
    assert (third.link, third.key, third.title) == ("", "guid:g-3", "No URL at all")
    assert third.canonical_url.startswith("https://feeds.test/jsonfeed11.json#entry-")
    assert feed.dropped == 0
    assert feed.language == "it"


def test_atom_base_and_html_title() -> None:
    feed = parse("atom10.xml")
    assert feed.entries[0].title == "Council backs plan"
    assert feed.entries[0].link == "https://meridian.test/politics/council-backs-plan"


def test_rss10_update_period_is_a_hint() -> None:
    assert parse("rss10.rdf").hints.update_seconds == 86400 // 4


def test_illformed_keeps_recoverable_entries_and_records_the_error() -> None:
    feed = parse("illformed.xml")
    assert feed.error.startswith("parse error:")
    assert feed.ok
    assert [e.title for e in feed.entries][:2] == ["Good one", "Second good"]


def test_html_served_as_feed() -> None:
    feed = parse("html_page.html", "text/html; charset=utf-8")
    assert not feed.ok
    assert feed.error == "parse error: html?"


def test_html_detected_without_content_type() -> None:
    feed = parse("html_page.html", "application/octet-stream")
    assert feed.error == "parse error: html?"


def test_wrong_charset_is_recovered_with_a_warning() -> None:
    feed = parse("wrong_charset.xml", "application/xml; charset=utf-8")
    assert feed.ok
    assert feed.entries[0].title == "Café crème"
    assert "windows-1252" in feed.warning


def test_empty_feed_is_a_feed_without_entries() -> None:
    feed = parse("empty.xml")
    assert feed.ok
    assert feed.entries == ()
    assert feed.format == "rss20"


def test_empty_body() -> None:
    feed = parse_feed(b"  ", url="https://x.test/", now=NOW)
    assert feed.error == "parse error: empty"


def test_json_that_is_not_a_json_feed() -> None:
    feed = parse_feed(b'{"hello": 1}', url="https://x.test/", now=NOW)
    assert not feed.ok
    assert "not a JSON Feed" in feed.error


def test_duplicate_guids_switch_the_feed_to_link_identity() -> None:
    feed = parse("duplicate_guids.xml")
    assert [e.key for e in feed.entries] == [
        "link:https://dupes.test/one/",
        "link:https://dupes.test/two/",
        "link:https://dupes.test/three/",
    ]
    assert feed.dropped == 1


def test_cap_keeps_the_first_items_and_records_the_total() -> None:
    items = "".join(
        f"<item><title>n{i}</title><link>https://big.test/{i}</link></item>" for i in range(2500)
    )
    body = f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    feed = parse_feed(body, url="https://big.test/feed", now=NOW, max_items=1000)
    assert len(feed.entries) == 1000
    assert feed.capped
    assert feed.total_entries == 2500
    assert feed.entries[0].link == "https://big.test/0"


def test_overlong_links_are_dropped() -> None:
    long = "https://x.test/" + "a" * 3000
    body = f'<rss version="2.0"><channel><item><link>{long}</link></item></channel></rss>'
    feed = parse_feed(body.encode(), url="https://x.test/feed", now=NOW)
    assert feed.entries == ()
    assert feed.dropped == 1


@pytest.mark.parametrize(
    ("data", "ttl", "update"),
    [
        ({"ttl": "60"}, 3600, None),
        ({"ttl": "x"}, None, None),
        ({"sy_updateperiod": "hourly", "sy_updatefrequency": "2"}, None, 1800),
        ({"sy_updateperiod": "dayly"}, None, 86400),
        ({"sy_updateperiod": "weekly", "sy_updatefrequency": "0"}, None, 7 * 86400),
    ],
)
def test_feed_hints(data: dict[str, str], ttl: int | None, update: int | None) -> None:
    hints = feed_hints(data)
    assert (hints.ttl_seconds, hints.update_seconds) == (ttl, update)


def test_json_feed_1_0_author_object() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1", "title": "Old JSON",'
        b' "author": {"name": "Ann"}, "items": [{"id": "1", "url": "https://j.test/1",'
        b' "content_text": "Plain text body", "date_published": "2026-11-09T10:00:00"}]}'
    )
    feed = parse_feed(body, url="https://j.test/feed.json", now=NOW)
    (entry,) = feed.entries
    assert feed.format == "json1"
    assert entry.author == "Ann"
    assert entry.text == "Plain text body"
    assert entry.published_at == datetime(2026, 11, 9, 10, tzinfo=UTC)
