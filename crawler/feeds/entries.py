"""From raw entries (what a format parser read) to ``FeedEntry`` values: one place for the
rules every format shares.

Links are made absolute and bounded, dates in the future are clamped to the fetch time (and
counted), HTML becomes text, the per-feed cap is applied in document order (feeds list newest
first), entries are keyed (guid, link, title + date) and duplicates within the document are
dropped. RSS, Atom and JSON Feed parsers only have to fill ``RawEntry``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from crawler.feeds.identity import EntryIdentity, assign_keys
from crawler.feeds.links import absolute_link, canonical, html_to_text, wordpress_post_id
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
    published, future = raw.published_at, False
    if published is not None and published > now:
        published, future = now, True
    comment_feed = absolute_link(raw.comment_feed_url, raw.base or base)
    return FeedEntry(
        key=key,
        link=link,
        canonical_url=canonical_url,
        guid=raw.guid,
        title=html_to_text(raw.title),
        author=raw.author.strip(),
        published_at=published,
        summary=summary,
        text=content if len(content) >= len(summary) else summary,
        content_html=raw.content_html or raw.summary_html,
        base=raw.base or base,
        language=raw.language or lang,
        has_full_text=len(content) >= FULL_TEXT_MIN_CHARS,
        date_in_future=future,
        comment_feed_url=comment_feed,
        comment_count=raw.comment_count,
        wp_post_id=wordpress_post_id(raw.guid),
    )


def build_feed(
    meta: FeedMeta, raws: Sequence[RawEntry], *, base: str, now: datetime, max_items: int
) -> ParsedFeed:
    """Apply the shared rules to one document's raw entries (see the module docstring)."""
    links = [absolute_link(r.link, r.base or base) for r in raws]
    kept = [(r, link) for r, link in zip(raws, links, strict=True) if link]
    dropped = len(raws) - len(kept)
    total = len(kept)
    kept = kept[:max_items]
    identities = [
        EntryIdentity(r.guid, canonical(link), r.title, r.published_at) for r, link in kept
    ]
    keys = assign_keys(identities)
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for (raw, link), key, ident in zip(kept, keys, identities, strict=True):
        if not key or key in seen:
            dropped += 1
            continue
        seen.add(key)
        entries.append(_entry(raw, key, link, ident.canonical_url, base, now, meta.language))
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
