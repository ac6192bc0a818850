"""Sitemaps and Google News sitemaps as a feed of URLs, for sites without a feed.

A ``<urlset>`` becomes a ``ParsedFeed`` (format ``sitemap``) whose entries carry the URL, the
news title and publication date when present (else ``<lastmod>``), newest first so the per-feed
cap keeps the recent ones. A ``<sitemapindex>`` yields the child sitemap URLs to fetch instead.
XML from outside is parsed without entity expansion or network access.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from crawler.feeds.entries import FeedMeta, RawEntry, build_feed
from crawler.feeds.links import absolute_link
from crawler.feeds.model import ParsedFeed

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "recover": True,
    "huge_tree": False,
}
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # the sitemap protocol's own limit


@dataclass(frozen=True, slots=True)
class SitemapDocument:
    """A parsed sitemap: a feed of page URLs, or an index of further sitemaps."""

    feed: ParsedFeed
    children: tuple[str, ...] = ()


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _date(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _gunzip(body: bytes) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_UNCOMPRESSED)
    except (zlib.error, gzip.BadGzipFile):
        return b""
    return out


def _text(element: etree._Element, name: str) -> str:
    for child in element.iter():
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def looks_like_sitemap(body: bytes) -> bool:
    head = _gunzip(body[:4096]) if body.startswith(b"\x1f\x8b") else body[:4096]
    return b"<urlset" in head or b"<sitemapindex" in head


def parse_sitemap(body: bytes, *, url: str, now: datetime, max_items: int) -> SitemapDocument:
    """Parse a (possibly gzipped) sitemap or sitemap index; see the module docstring."""
    data = _gunzip(body)
    try:
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        return SitemapDocument(ParsedFeed(format="", error=f"parse error: sitemap: {exc}"[:500]))
    if root is None:
        return SitemapDocument(ParsedFeed(format="", error="parse error: empty"))
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children = [absolute_link(_text(s, "loc"), url) for s in root if _local(s.tag) == "sitemap"]
        return SitemapDocument(ParsedFeed(format="sitemapindex"), tuple(c for c in children if c))
    if kind != "urlset":
        return SitemapDocument(ParsedFeed(format="", error="parse error: not a sitemap"))
    raws: list[RawEntry] = []
    for item in root:
        if _local(item.tag) != "url":
            continue
        published = _date(_text(item, "publication_date")) or _date(_text(item, "lastmod"))
        raws.append(
            RawEntry(
                link=_text(item, "loc"),
                title=_text(item, "title"),
                published_at=published,
                language=_text(item, "language"),
            )
        )
    oldest = datetime.min.replace(tzinfo=UTC)
    raws.sort(key=lambda r: r.published_at or oldest, reverse=True)
    feed = build_feed(FeedMeta(format="sitemap"), raws, base=url, now=now, max_items=max_items)
    return SitemapDocument(feed)
