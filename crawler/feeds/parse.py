"""Parse fetched feed bytes (never a URL: the fetch is Scrapy's) into a ``ParsedFeed``.

The bytes are sniffed first (``crawler.feeds.sniff``): format from the bytes, then the
declared type; decoding by BOM, declaration, HTTP charset, then detection. RSS 0.9x/1.0/2.0
and Atom 0.3/1.0 then go to feedparser as UTF-8 with undefined HTML entities made numeric (so
the strict parser reads what it would otherwise hand to the loose one); JSON Feed is parsed by
``crawler.feeds.jsonfeed``. HTML sanitising
and relative-URI rewriting are off (they are most of feedparser's cost, performance-ceilings
§3): we never render entry HTML, we reduce it to text, and entry links are resolved by
``crawler.feeds.entries``. Failures are values, not exceptions: a document that is not a feed
comes back with a specific ``error`` (``parse error: html?``, ``parse error: empty``, ``too
large``, ``entity declarations refused``, where a not-well-formed document broke), and an
ill-formed one keeps the entries that could be recovered, with a warning.
"""

from __future__ import annotations

import calendar
import io
import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import feedparser

from crawler.feeds.dates import local_date
from crawler.feeds.entries import FeedMeta, RawEntry, build_feed
from crawler.feeds.jsonfeed import parse_json_feed
from crawler.feeds.model import FeedHints, ParsedFeed
from crawler.feeds.sniff import (
    MAX_FEED_BYTES,
    Sniffed,
    define_html_entities,
    sniff,
    truthful_utf8,
)

logger = logging.getLogger(__name__)
#: What feedparser is told about the bytes it gets: always UTF-8 XML, because the sniffer
#: decoded them (it would otherwise re-guess from a declaration that may have lied).
_UTF8_XML = {"content-type": "application/xml; charset=utf-8"}

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


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "HTTP://", "HTTPS://"))


def _fallback_links(entry: Mapping[str, Any], link: str) -> tuple[str, ...]:
    """The entry's other URLs, best first: ``rdf:about`` / guid / Atom id when it is an
    http(s) URL (feedparser puts ``rdf:about`` in ``id``), then every ``<link>`` of any rel."""
    out: list[str] = []
    ident = str(entry.get("id") or "").strip()
    if _is_url(ident):
        out.append(ident)
    for item in entry.get("links") or ():
        href = str(item.get("href") or "").strip()
        if href and href != link:
            out.append(href)
    return tuple(dict.fromkeys(out))


def _published(entry: Mapping[str, Any]) -> datetime | None:
    """Published, else updated, else either one in a local-language format. Read as a plain
    dict: feedparser's own mapping warns (a deprecated fallback) on a missing key."""
    plain: dict[str, Any] = dict(entry.items())
    parsed = _datetime(plain.get("published_parsed")) or _datetime(plain.get("updated_parsed"))
    if parsed is not None:
        return parsed
    for name in ("published", "updated"):
        local = local_date(str(plain.get(name) or ""))
        if local is not None:
            return local
    return None


def _raw_entry(entry: Mapping[str, Any]) -> RawEntry:
    html, text = _content(entry)
    detail = entry.get("summary_detail") or entry.get("title_detail") or {}
    title_type = str((entry.get("title_detail") or {}).get("type") or "text/plain")
    link = str(entry.get("link") or "")
    return RawEntry(
        guid=str(entry.get("id") or "").strip(),
        link=link,
        title=str(entry.get("title") or ""),
        author=str(entry.get("author") or ""),
        published_at=_published(entry),
        summary_html=str(entry.get("summary") or ""),
        content_html=html,
        content_text=text if not html else "",
        language=str(detail.get("language") or ""),
        base=str(detail.get("base") or ""),
        comment_feed_url=str(entry.get("wfw_commentrss") or ""),
        comment_count=_int(entry.get("slash_comments")),
        title_is_text="html" not in title_type,
        fallback_links=_fallback_links(entry, link),
    )


def _not_a_feed(sniffed: Sniffed, parsed: Mapping[str, Any]) -> str:
    """The most specific reason a document that yielded nothing is not a feed."""
    if sniffed.kind == "html" or sniffed.served_as in ("text/html", "application/xhtml+xml"):
        return "parse error: html?"  # the spider's cue to discover the page's feed
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is not None and type(problem).__name__ not in _BENIGN:
        return f"parse error: not a readable feed: {_describe(problem)}"[:500]
    if sniffed.kind == "xml":
        return "parse error: XML, but no RSS, RDF or Atom root element"
    return "parse error: neither XML nor JSON"


def _describe(problem: object) -> str:
    text = str(problem).removeprefix("<unknown>:")
    return f"at {text}" if text[:1].isdigit() else f"({type(problem).__name__}: {text})"


def _feedparser(data: bytes) -> Mapping[str, Any]:
    """feedparser on UTF-8 bytes with a truthful declaration. A stream, never the bytes
    themselves: given bytes or a str, feedparser may take a body for a file name or a URL."""
    return feedparser.parse(  # type: ignore[no-any-return]
        io.BytesIO(data),
        response_headers=_UTF8_XML,
        sanitize_html=False,
        resolve_relative_uris=False,
    )


def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    now: datetime,
    max_items: int = 1000,
    max_bytes: int = MAX_FEED_BYTES,
) -> ParsedFeed:
    """Parse one fetched document; never raises (a failure is a ``ParsedFeed.error``).

    :param url: the URL the body was fetched from (after redirects): the base for relative
        links.
    :param headers: response headers, lower-case names (Content-Type with its charset).
    :param now: fetch time; later entry dates are clamped to it.
    :param max_bytes: larger bodies (after any gunzip) are refused with a reason.
    """
    try:
        return _parse(body, url, headers or {}, now, max_items, max_bytes)
    except Exception as exc:  # the parser must never take a run down (DESIGN, safety rules)
        logger.debug("feed parser failed on %s", url, exc_info=True)
        return ParsedFeed(format="", error=f"parse error: parser failed: {_describe(exc)}"[:500])


def _parse(
    body: bytes,
    url: str,
    headers: Mapping[str, str],
    now: datetime,
    max_items: int,
    max_bytes: int,
) -> ParsedFeed:
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    sniffed = sniff(body, content_type, limit=max_bytes)
    if sniffed.error:
        return _stamp(ParsedFeed(format="", error=sniffed.error), sniffed)
    if sniffed.kind == "json":
        feed = parse_json_feed(
            sniffed.text.encode("utf-8", "surrogatepass"), url=url, now=now, max_items=max_items
        )
        return _stamp(feed, sniffed)
    if sniffed.kind == "html":
        return _stamp(ParsedFeed(format="", error="parse error: html?"), sniffed)
    data = truthful_utf8(define_html_entities(sniffed.text))
    parsed = _feedparser(data)
    version = str(parsed.get("version") or "")
    entries = parsed.get("entries") or []
    if not version and not entries:
        return _stamp(ParsedFeed(format="", error=_not_a_feed(sniffed, parsed)), sniffed)
    error = ""
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        if type(problem).__name__ not in _BENIGN:
            error = f"parse error: not well-formed XML {_describe(problem)}"
            if not entries:
                error += "; no entries recovered"
    channel = parsed.get("feed") or {}
    detail = channel.get("title_detail") or {}
    language = str(channel.get("language") or detail.get("language") or "")
    meta = FeedMeta(
        format=version or "unknown",
        title=str(channel.get("title") or ""),
        link=str(channel.get("link") or ""),
        language=language,
        hints=feed_hints(channel),
        error=error[:500],
    )
    raws = [_raw_entry(e) for e in entries]
    return _stamp(build_feed(meta, raws, base=url, now=now, max_items=max_items), sniffed)


def _stamp(feed: ParsedFeed, sniffed: Sniffed) -> ParsedFeed:
    """``feed`` with what sniffing found: the encoding and how it was chosen, a mislabelled
    media type, and the problems recovered from (before the parser's own warning)."""
    notes = [n for n in (*sniffed.notes, feed.warning) if n]
    return replace(
        feed,
        warning="; ".join(notes)[:500],
        encoding=sniffed.encoding,
        encoding_from=sniffed.encoding_from,
        served_as=sniffed.served_as,
    )
