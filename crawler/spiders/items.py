"""What spiders yield: plain dataclasses (Scrapy accepts them as items via itemadapter).

``FeedTask`` is the input of one feed fetch, built by the runner from the stored poll state, so
the spider itself never reads storage. ``FeedFetched`` reports one fetch of one feed (success,
304, unchanged or failure) with the parsed entries; ``ArticleFetched`` carries the main text of
an entry's article page. Pipelines turn them into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.domain import Document
from crawler.feeds.discovery import Discovered
from crawler.feeds.model import FeedEntry, ParsedFeed
from crawler.feeds.policy import Outcome, Severity


@dataclass(frozen=True, slots=True)
class FeedTask:
    """One feed to fetch, and what the runner knows about it."""

    source_id: int
    name: str
    url: str
    type: str = "feed"
    etag: str = ""
    last_modified: str = ""
    body_hash: str = ""
    conditional: bool = True
    discover: bool = False
    """The URL may be a site page: on HTML, look for its feeds (and sitemaps)."""
    also_for: tuple[int, ...] = ()
    """Other sources that resolve to the same URL: fetched once, the result applied to all."""


@dataclass(frozen=True, slots=True)
class FeedFetched:
    """One fetch of one feed and its outcome."""

    task: FeedTask
    outcome: Outcome
    fetched_at: datetime
    url: str
    final_url: str = ""
    status: int | None = None
    error: str = ""
    severity: Severity | None = None
    etag: str = ""
    last_modified: str = ""
    body_hash: str = ""
    size: int = 0
    elapsed_ms: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    permanent_redirect: bool = False
    sent_validators: bool = False
    feed: ParsedFeed | None = None
    discovered: tuple[Discovered, ...] | None = None
    new_type: str = ""
    same_as: str = ""
    deferred_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ArticleFetched:
    """The article page of a summary-only feed entry, reduced to a document (or an error)."""

    source_id: int
    entry: FeedEntry
    document: Document | None
    error: str = ""
    fetched_at: datetime | None = None
