"""JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read.

Pure: bytes in, ``ParsedFeed`` out, through the same shared entry rules as RSS and Atom. Both
the 1.0 ``author`` object and the 1.1 ``authors`` list are read; a body that is JSON but not a
JSON Feed is reported as a parse error rather than guessed at. Whether a body is JSON at all is
decided by ``crawler.feeds.sniff`` from its bytes, whatever its declared type.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from crawler.feeds.entries import FeedMeta, RawEntry, build_feed
from crawler.feeds.model import ParsedFeed

VERSION_PREFIX = "https://jsonfeed.org/version/"


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _author(item: dict[str, Any], feed: dict[str, Any]) -> str:
    for holder in (item, feed):
        authors = holder.get("authors")
        if isinstance(authors, list) and authors and isinstance(authors[0], dict):
            return str(authors[0].get("name") or "")
        author = holder.get("author")
        if isinstance(author, dict):
            return str(author.get("name") or "")
    return ""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _raw(item: dict[str, Any], feed: dict[str, Any]) -> RawEntry:
    guid = item.get("id")
    return RawEntry(
        guid=str(guid) if isinstance(guid, (str, int)) else "",
        link=_str(item.get("url")) or _str(item.get("external_url")),
        title=_str(item.get("title")),
        author=_author(item, feed),
        published_at=_date(item.get("date_published")) or _date(item.get("date_modified")),
        summary_html=_str(item.get("summary")),
        content_html=_str(item.get("content_html")),
        content_text=_str(item.get("content_text")),
        language=_str(item.get("language")),
    )


def parse_json_feed(body: bytes, *, url: str, now: datetime, max_items: int) -> ParsedFeed:
    """Parse a JSON Feed document; see the module docstring."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ParsedFeed(format="", error=f"parse error: invalid JSON: {exc}"[:500])
    if not isinstance(data, dict) or not _str(data.get("version")).startswith(VERSION_PREFIX):
        return ParsedFeed(format="", error="parse error: JSON but not a JSON Feed")
    version = _str(data.get("version")).removeprefix(VERSION_PREFIX)
    items = data.get("items")
    if not isinstance(items, list):
        items = []
    meta = FeedMeta(
        format=f"json{version.replace('.', '')}",
        title=_str(data.get("title")),
        link=_str(data.get("home_page_url")),
        language=_str(data.get("language")),
    )
    raws = [_raw(item, data) for item in items if isinstance(item, dict)]
    return build_feed(meta, raws, base=url, now=now, max_items=max_items)
