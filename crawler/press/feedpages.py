"""Feed entries and article pages as match-stage pages (pure).

A feed entry that carries its article (full-content feeds) is matched as it stands, with the
links of its own HTML. A summary-only entry waits for its article page, whose main text and
main-text links are what counts; it is matched on its summary only when the page is not read
(article fetching off, or the page could not be fetched), so a feed's own words are never
lost but never counted twice either.
"""

from __future__ import annotations

from collections.abc import Iterable

from crawler.domain import Document, FoundVia, MentionKind
from crawler.feeds.model import FeedEntry
from crawler.press.htmltext import fragment_text
from crawler.press.model import Link, Page, SourceInfo


def entry_document(entry: FeedEntry, site: str, text: str | None = None) -> Document:
    """The document a feed entry stands for until its page is read."""
    return Document(
        canonical_url=entry.canonical_url,
        url=entry.link,
        title=entry.title,
        author=entry.author,
        site=site,
        language=entry.language[:20],
        published_at=entry.published_at,
        text=entry.text if text is None else text,
    )


def entry_links(entry: FeedEntry) -> tuple[Link, ...]:
    """The links of an entry's own HTML."""
    return fragment_text(entry.content_html, entry.base or entry.link)[1]


def entry_page(entry: FeedEntry, site: str) -> Page:
    """An entry as a page: the main text of its HTML (platform chrome and boxes removed) and
    every link in it."""
    text, links = fragment_text(entry.content_html, entry.base or entry.link)
    return Page(entry_document(entry, site, text or entry.text), links, (entry.link,))


def matchable_entries(
    entries: Iterable[FeedEntry], site: str, *, articles_follow: bool
) -> list[Page]:
    """Pages for the entries to match now: all of them when no article page will follow,
    else those that carry their full text."""
    return [entry_page(e, site) for e in entries if e.has_full_text or not articles_follow]


def source_info(kind: str, source_id: int | None, name: str, via: FoundVia) -> SourceInfo:
    """A source row's labels as the stage wants them (unknown kinds count as press)."""
    try:
        mention_kind = MentionKind(kind)
    except ValueError:
        mention_kind = MentionKind.PRESS
    if mention_kind not in (MentionKind.PRESS, MentionKind.BLOG):
        mention_kind = MentionKind.BLOG if kind == "own" else MentionKind.PRESS
    return SourceInfo(mention_kind, via, source_id, name)
