"""Discovery parsing: advertised feeds, common paths, robots.txt sitemaps, sitemap files."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from crawler.feeds.discovery import (
    common_feed_urls,
    default_sitemap_urls,
    feed_links,
    robots_sitemaps,
)
from crawler.feeds.sitemaps import looks_like_sitemap, parse_sitemap

DATA = Path(__file__).parents[1] / "data" / "feeds"
NOW = datetime(2026, 11, 10, tzinfo=UTC)


def test_feed_links_in_page_order_comment_feeds_last() -> None:
    found = feed_links((DATA / "html_page.html").read_bytes(), "https://skyline.test/blog/")
    assert [(d.url, d.type) for d in found] == [
        ("https://skyline.test/feed/", "rss"),
        ("https://skyline.test/feed/atom/", "atom"),
        ("https://skyline.test/feed.json", "json"),
        ("https://skyline.test/comments/feed/", "rss"),
    ]


def test_feed_links_of_garbage() -> None:
    assert feed_links(b"", "https://x.test/") == []
    assert feed_links(b"\x00\x01 not html", "https://x.test/") == []


def test_common_paths_and_default_sitemaps_are_at_the_root() -> None:
    assert common_feed_urls("https://a.test/x/y?z=1") == [
        "https://a.test/feed/",
        "https://a.test/rss",
        "https://a.test/atom.xml",
        "https://a.test/feed.json",
        "https://a.test/index.xml",
    ]
    assert default_sitemap_urls("https://a.test/x") == [
        "https://a.test/sitemap.xml",
        "https://a.test/news-sitemap.xml",
    ]


def test_robots_sitemap_lines() -> None:
    text = (DATA / "robots.txt").read_text()
    assert robots_sitemaps(text, "https://papers.test/robots.txt") == [
        "https://papers.test/sitemap_index.xml",
        "https://papers.test/news-sitemap.xml",
    ]


def test_news_sitemap_is_a_feed_newest_first() -> None:
    body = (DATA / "news_sitemap.xml").read_bytes()
    assert looks_like_sitemap(body)
    doc = parse_sitemap(body, url="https://papers.test/news-sitemap.xml", now=NOW, max_items=10)
    entries = doc.feed.entries
    assert doc.feed.format == "sitemap"
    assert [e.title for e in entries] == ["Newer story", "Older story", ""]
    assert entries[0].published_at == datetime(2026, 11, 9, 10, tzinfo=UTC)
    assert not entries[0].has_full_text


def test_gzipped_sitemap_and_cap() -> None:
    body = gzip.compress((DATA / "news_sitemap.xml").read_bytes())
    assert looks_like_sitemap(body)
    doc = parse_sitemap(body, url="https://papers.test/s.xml.gz", now=NOW, max_items=1)
    assert len(doc.feed.entries) == 1
    assert doc.feed.capped


def test_sitemap_index_lists_children() -> None:
    body = (DATA / "sitemap_index.xml").read_bytes()
    doc = parse_sitemap(body, url="https://papers.test/sitemap_index.xml", now=NOW, max_items=10)
    assert doc.children == (
        "https://papers.test/news-sitemap.xml",
        "https://papers.test/sitemap-pages.xml",
    )


def test_sitemap_entities_are_not_expanded() -> None:
    body = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.test/&e;</loc>
    </url></urlset>"""
    doc = parse_sitemap(body, url="https://a.test/s.xml", now=NOW, max_items=10)
    assert all("root:" not in e.link for e in doc.feed.entries)


def test_not_a_sitemap() -> None:
    doc = parse_sitemap(
        b"<html><body>hi</body></html>", url="https://a.test/", now=NOW, max_items=5
    )
    assert not doc.feed.ok
