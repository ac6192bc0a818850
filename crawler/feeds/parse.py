"""Parse fetched feed bytes (never a URL: the fetch is Scrapy's) into a ``ParsedFeed``.

RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 go to feedparser with the response headers, so it sees the
HTTP charset and base URL; JSON Feed is parsed by ``crawler.feeds.jsonfeed``. HTML sanitising
and relative-URI rewriting are off (they are most of feedparser's cost, performance-ceilings
§3): we never render entry HTML, we reduce it to text, and entry links are resolved by
``crawler.feeds.entries``. Failures are values, not exceptions: a document that is not a feed
comes back with an ``error`` in the status taxonomy (``parse error: html?``, ``parse error:
empty``), and an ill-formed one keeps the entries that could be recovered.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from crawler.feeds.entries import FeedMeta, RawEntry, build_feed
from crawler.feeds.jsonfeed import looks_like_json_feed, parse_json_feed
from crawler.feeds.model import FeedHints, ParsedFeed

#: feedparser's complaints that do not make a feed wrong (it recovered the text correctly).
_BENIGN = ("CharacterEncodingOverride", "NonXMLContentType")

_PERIOD_SECONDS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 7 * 86400,
    "monthly": 30 * 86400,
    "yearly": 365 * 86400,
    # Seen in the wild (Media Cloud maps these too).
    "always": 3600,
    "dayly": 86400,
}


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def feed_hints(feed: Mapping[str, Any]) -> FeedHints:
    """``<ttl>`` (minutes) and ``sy:updatePeriod`` / ``sy:updateFrequency`` as seconds."""
    ttl = _int(feed.get("ttl"))
    period = str(feed.get("sy_updateperiod", "")).strip().lower()
    frequency = _int(feed.get("sy_updatefrequency")) or 1
    update = _PERIOD_SECONDS.get(period)
    return FeedHints(
        ttl_seconds=ttl * 60 if ttl and ttl > 0 else None,
        update_seconds=update // max(1, frequency) if update else None,
    )


def _content(entry: Mapping[str, Any]) -> tuple[str, str]:
    """(html, text) of the entry's own content element, preferring HTML."""
    html, text = "", ""
    for item in entry.get("content") or ():
        value = str(item.get("value") or "")
        if "html" in str(item.get("type", "")) and not html:
            html = value
        elif not text:
            text = value
    return html, text


def _raw_entry(entry: Mapping[str, Any]) -> RawEntry:
    html, text = _content(entry)
    detail = entry.get("summary_detail") or entry.get("title_detail") or {}
    published = _datetime(entry.get("published_parsed")) or _datetime(entry.get("updated_parsed"))
    link = str(entry.get("link") or "")
    if not link and entry.get("guidislink"):
        link = str(entry.get("id") or "")
    return RawEntry(
        guid=str(entry.get("id") or "").strip(),
        link=link,
        title=str(entry.get("title") or ""),
        author=str(entry.get("author") or ""),
        published_at=published,
        summary_html=str(entry.get("summary") or ""),
        content_html=html,
        content_text=text if not html else "",
        language=str(detail.get("language") or ""),
        base=str(detail.get("base") or ""),
        comment_feed_url=str(entry.get("wfw_commentrss") or ""),
        comment_count=_int(entry.get("slash_comments")),
    )


def _not_a_feed(body: bytes, content_type: str) -> str:
    head = body[:2048].lstrip().lower()
    if not head:
        return "parse error: empty"
    if "html" in content_type and "xhtml" not in content_type:
        return "parse error: html?"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "parse error: html?"
    return "parse error: no version"


def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    now: datetime,
    max_items: int = 1000,
) -> ParsedFeed:
    """Parse one fetched document.

    :param url: the URL the body was fetched from (after redirects): the base for relative
        links.
    :param headers: response headers, lower-case names (charset, Content-Location).
    :param now: fetch time; later entry dates are clamped to it.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = headers.get("content-type", "").lower()
    if looks_like_json_feed(body, content_type):
        return parse_json_feed(body, url=url, now=now, max_items=max_items)
    if not body.strip():
        return ParsedFeed(format="", error="parse error: empty")
    # No Content-Location: with a base URL feedparser rewrites every URI attribute it meets
    # (a fifth of its time); entry links are resolved against ``url`` by build_feed instead.
    headers.pop("content-location", None)
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    version = str(parsed.get("version") or "")
    entries = parsed.get("entries") or []
    if not version and not entries:
        return ParsedFeed(format="", error=_not_a_feed(body, content_type))
    error = warning = ""
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        if type(problem).__name__ in _BENIGN:
            warning = str(problem)[:500]
        else:
            error = f"parse error: {problem}"[:500]
    feed = parsed.get("feed") or {}
    language = str(feed.get("language") or (feed.get("title_detail") or {}).get("language") or "")
    meta = FeedMeta(
        format=version or "unknown",
        title=str(feed.get("title") or ""),
        link=str(feed.get("link") or ""),
        language=language,
        hints=feed_hints(feed),
        error=error,
        warning=warning,
    )
    raws = [_raw_entry(e) for e in entries]
    return build_feed(meta, raws, base=url, now=now, max_items=max_items)
