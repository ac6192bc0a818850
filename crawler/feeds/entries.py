"""From raw entries (what a format parser read) to ``FeedEntry`` values: one place for the
rules every format shares.

Links are made absolute and bounded (the first usable one of the entry's candidates: its
link, ``rdf:about``, a guid/id in URL form, any other ``<link>``), dates in the future are
clamped to the fetch time (and counted), placeholder dates (1970) are dropped, HTML becomes
text (a text-typed title stays text: its ``<`` is a character), the per-feed cap is applied
in document order (feeds list newest first), entries are keyed (guid, link, title + date +
text) and duplicates within the document are dropped.

An entry with no URL at all is kept: it is keyed by its guid (or its title, date and text),
gets a document key under the feed's own URL (``FEED#entry-HASH``), and counts as carrying its
full text, since there is no page to fetch; it can still be a mention. Only an entry with nothing
at all to identify it is dropped, and counted. RSS, Atom and JSON Feed parsers only have to
fill ``RawEntry``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urldefrag, urljoin

from crawler.feeds.dates import plausible
from crawler.feeds.identity import EntryIdentity, assign_keys
from crawler.feeds.links import (
    absolute_link,
    canonical,
    html_to_text,
    plain_text,
    wordpress_post_id,
)
from crawler.feeds.model import FeedEntry, FeedHints, ParsedFeed

#: An entry whose own content has at least this much text carries the article itself.
FULL_TEXT_MIN_CHARS = 200


@dataclass(frozen=True, slots=True)
class RawEntry:
    guid: str = ""
    link: str = ""
    title: str = ""
    author: str = ""
    published_at: datetime | None = None
    summary_html: str = ""
    content_html: str = ""
    content_text: str = ""
    language: str = ""
    base: str = ""
    comment_feed_url: str = ""
    comment_count: int | None = None
    title_is_text: bool = False
    """The title is plain text (RSS, Atom ``type="text"``): kept as is, not de-tagged."""
    fallback_links: tuple[str, ...] = ()
    """URLs to use when ``link`` is missing or unusable, best first."""


@dataclass(frozen=True, slots=True)
class FeedMeta:
    format: str
    title: str = ""
    link: str = ""
    language: str = ""
    hints: FeedHints = field(default_factory=FeedHints)
    error: str = ""
    warning: str = ""


def _entry(
    raw: RawEntry, key: str, link: str, canonical_url: str, base: str, now: datetime, lang: str
) -> FeedEntry:
    summary = html_to_text(raw.summary_html)
    content = raw.content_text or html_to_text(raw.content_html)
    published, future = plausible(raw.published_at), False
    if published is not None and published > now:
        published, future = now, True
    comment_feed = absolute_link(raw.comment_feed_url, raw.base or base)
    return FeedEntry(
        key=key,
        link=link,
        canonical_url=canonical_url,
        guid=raw.guid,
        title=plain_text(raw.title) if raw.title_is_text else html_to_text(raw.title),
        author=raw.author.strip(),
        published_at=published,
        summary=summary,
        text=content if len(content) >= len(summary) else summary,
        content_html=raw.content_html or raw.summary_html,
        base=raw.base or base,
        language=raw.language or lang,
        has_full_text=not link or len(content) >= FULL_TEXT_MIN_CHARS,
        date_in_future=future,
        comment_feed_url=comment_feed,
        comment_count=raw.comment_count,
        wp_post_id=wordpress_post_id(raw.guid),
    )


def entry_base(raw: RawEntry, base: str) -> str:
    """The entry's own ``xml:base`` resolved against the document URL (it may be relative)."""
    if not raw.base:
        return base
    try:
        return urljoin(base, raw.base) if base else raw.base
    except ValueError:
        return base


def entry_link(raw: RawEntry, base: str) -> str:
    """The first usable absolute http(s) URL among the entry's link and its fallbacks."""
    for candidate in (raw.link, *raw.fallback_links):
        link = absolute_link(candidate, base)
        if link:
            return link
    return ""


def _own_text(raw: RawEntry) -> str:
    return html_to_text(raw.content_html or raw.summary_html) or raw.content_text.strip()


def linkless_document_key(feed_url: str, key: str) -> str:
    """The document key of an entry without a URL: stable per feed and entry identity."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"{canonical(urldefrag(feed_url)[0]) or feed_url}#entry-{digest}"


def build_feed(
    meta: FeedMeta, raws: Sequence[RawEntry], *, base: str, now: datetime, max_items: int
) -> ParsedFeed:
    """Apply the shared rules to one document's raw entries (see the module docstring)."""
    bases = [entry_base(r, base) for r in raws]
    links = [entry_link(r, b) for r, b in zip(raws, bases, strict=True)]
    total = len(raws)
    kept = list(zip(raws, links, bases, strict=True))[:max_items]
    identities = [
        EntryIdentity(
            r.guid,
            canonical(link) if link else "",
            r.title,
            plausible(r.published_at),
            "" if r.guid or link else _own_text(r),
        )
        for r, link, _ in kept
    ]
    keys = assign_keys(identities)
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    dropped = 0
    for (raw, link, entry_base_url), key, ident in zip(kept, keys, identities, strict=True):
        if not key or key in seen:
            dropped += 1
            continue
        seen.add(key)
        canonical_url = ident.canonical_url or linkless_document_key(base, key)
        raw_based = raw if raw.base == entry_base_url else replace(raw, base=entry_base_url)
        entries.append(_entry(raw_based, key, link, canonical_url, base, now, meta.language))
    return ParsedFeed(
        format=meta.format,
        title=html_to_text(meta.title),
        link=absolute_link(meta.link, base),
        language=meta.language,
        entries=tuple(entries),
        hints=meta.hints,
        error=meta.error,
        warning=meta.warning,
        total_entries=total,
        capped=total > max_items,
        future_dates=sum(1 for e in entries if e.date_in_future),
        dropped=dropped,
    )
