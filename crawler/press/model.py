"""The values the match stage works on: a fetched page and where it came from.

A ``Page`` is a document plus what the document type cannot hold: the links of its main text
(links to our posts are recognised among them) and the URLs it was fetched under (request URL
and redirects), so that a page that *is* one of our posts is never reported as coverage.
Spiders build pages, pipelines hand them to the stage; plain frozen dataclasses, so they
travel as Scrapy items and over process boundaries alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.domain import Document, FoundVia, MentionKind

#: A link as found in a page: (absolute URL, anchor text).
Link = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Page:
    """One document as the match stage sees it."""

    document: Document
    links: tuple[Link, ...] = ()
    """(absolute URL, anchor text) of the links in the main text (or a feed entry's HTML)."""
    fetched_as: tuple[str, ...] = ()
    """Every URL the page answered to: the request URL, each redirect, the final URL."""

    @property
    def words(self) -> int:
        return len(self.document.text.split())


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where pages came from: the source row (if any) and how its finds are labelled."""

    kind: MentionKind
    found_via: FoundVia
    source_id: int | None = None
    source_name: str = ""
