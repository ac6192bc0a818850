"""The differential test over ``../shared/corpus/wild-feeds`` (200 feeds captured from live
sites): wherever bare ``feedparser.parse`` returns entries, ``parse_feed`` returns the same
entries — count, URL, title as text, published date — and it never raises; where feedparser
returns none, ``parse_feed`` says why, specifically.

"The same entries" means feedparser's *distinct* entries: a document that repeats an item
verbatim (same id, link, title and date) holds one entry, which is what gets stored. The
reference URL of an entry is the first http(s) one of feedparser's ``link``, ``id`` and
``links`` (issue #15's order); an HTML title is reduced to text with lxml, independently of
mediamon's own reducer. Skipped with a message when the corpus is absent.
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from lxml import html as lxml_html

from crawler.feeds.dates import EARLIEST
from crawler.feeds.model import ParsedFeed
from crawler.feeds.parse import parse_feed
from tests.corpus import ABSENT, wild_feeds

FEEDS = wild_feeds()
NOW = datetime(2030, 1, 1, tzinfo=UTC)
pytestmark = pytest.mark.skipif(not FEEDS, reason=ABSENT)
_SPACE = re.compile(r"\s+")


def space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def reference_url(entry: Any, base: str) -> str:
    """``link`` (resolved), else ``id`` when it is an absolute http(s) URL, else the first
    ``links`` href (resolved)."""
    ident = str(entry.get("id") or "").strip()
    hrefs = [urljoin(base, str(entry.get("link") or "").strip()) if entry.get("link") else ""]
    hrefs.append(ident if _http(ident) else "")
    hrefs += [urljoin(base, str(x.get("href") or "").strip()) for x in entry.get("links") or ()]
    return next((href for href in hrefs if href and _http(href)), "")


def reference_title(entry: Any) -> str:
    title = str(entry.get("title") or "")
    is_html = "html" in str((entry.get("title_detail") or {}).get("type", ""))
    if is_html and ("<" in title or "&" in title):
        title = lxml_html.fragment_fromstring(title, create_parent="div").text_content()
    return space(title)


def reference_date(entry: Any) -> datetime | None:
    value = entry.get("published_parsed") or entry.get("updated_parsed")
    if value is None:
        return None
    when = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return when if when >= EARLIEST else None


def distinct(entries: list[Any]) -> list[Any]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for entry in entries:
        ident = tuple(str(entry.get(k) or "") for k in ("id", "link", "title", "published"))
        if ident not in seen:
            seen.add(ident)
            out.append(entry)
    return out


@functools.cache
def differences(path: Path) -> tuple[list[str], ParsedFeed, int]:
    body = path.read_bytes()
    url = f"https://wild.test/{path.name}"
    ours = parse_feed(body, url=url, now=NOW, max_items=100_000)
    reference = distinct(list(feedparser.parse(body).get("entries") or []))
    problems: list[str] = []
    if not reference:
        if not ours.entries and (not ours.error or "no version" in ours.error):
            problems.append(f"no entries and no specific reason: {ours.error!r}")
        return problems, ours, 0
    if len(ours.entries) != len(reference):
        problems.append(f"{len(ours.entries)} entries, feedparser {len(reference)}")
        return problems, ours, len(reference)
    for i, (mine, ref) in enumerate(zip(ours.entries, reference, strict=True)):
        want_url = reference_url(ref, url)
        if want_url and mine.link != want_url:
            problems.append(f"#{i} link {mine.link!r} != {want_url!r}")
        if not want_url and (mine.link or mine.guid != str(ref.get("id") or "").strip()):
            problems.append(f"#{i} linkless entry not kept by its id: {mine.guid!r}")
        if mine.title != reference_title(ref):
            problems.append(f"#{i} title {mine.title!r} != {reference_title(ref)!r}")
        when = reference_date(ref)
        if when is not None and mine.published_at != when:
            problems.append(f"#{i} date {mine.published_at} != {when}")
    return problems, ours, len(reference)


@pytest.mark.parametrize("path", FEEDS, ids=[p.name for p in FEEDS])
def test_same_entries_as_feedparser(path: Path) -> None:
    problems, _, _ = differences(path)
    assert not problems, "\n".join(problems[:20])


def test_corpus_totals() -> None:
    """Every feedparser entry is matched across the corpus, and the feeds where feedparser
    finds nothing carry a reason (printed with ``-s`` for the record)."""
    matched = total = 0
    for path in FEEDS:
        problems, ours, count = differences(path)
        total += count
        matched += count if not problems else 0
        if count == 0:
            print(f"{path.name}: feedparser 0, mediamon {len(ours.entries)}: {ours.error}")
    print(f"wild-feeds: {matched} of {total} distinct feedparser entries matched")
    assert matched == total
