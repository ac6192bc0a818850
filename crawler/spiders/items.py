"""What spiders yield: plain dataclasses (Scrapy accepts them as items via itemadapter).

``FeedTask`` is the input of one feed fetch, built by the runner from the stored poll state, so
the spider itself never reads storage. ``FeedFetched`` reports one fetch of one feed (success,
304, unchanged or failure) with the parsed entries; ``ArticleFetched`` carries the main text of
an entry's article page. Site and ad-hoc crawls get ``SiteTask`` values and yield
``PagesListed`` (URLs a sitemap or section offers: the pipeline, which can ask storage, fetches
the new ones) and ``PageFetched``. Pipelines turn them into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.domain import Document
from crawler.feeds.discovery import Discovered
from crawler.feeds.model import FeedEntry, ParsedFeed
from crawler.feeds.policy import Outcome, Severity
from crawler.feeds.shared import KeptFetch
from crawler.press.model import Link, Page


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
    share: bool = False
    """Another organisation watches this URL (#16): a fetch it made a moment ago may answer
    this one, and this fetch is kept for it (``crawler.feeds.shared``)."""


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
    kept: KeptFetch | None = None
    """This fetch as kept for the other organisations watching the feed (a 200's body, or the
    validators a 304 answered), for the pipeline to store (#16)."""
    shared_from: str = ""
    """When the other organisation's fetch this poll was answered from was made (ISO)."""


@dataclass(frozen=True, slots=True)
class ArticleFetched:
    """The article page of a summary-only feed entry, reduced to a document (or an error),
    with the links of its main text and the URLs it answered to (request, redirects, final)."""

    source_id: int
    entry: FeedEntry
    document: Document | None
    error: str = ""
    fetched_at: datetime | None = None
    links: tuple[Link, ...] = ()
    fetched_as: tuple[str, ...] = ()
    transient: bool = False
    """The page failed in a way that may pass (timeout, 5xx, an interrupted run): it stays
    due and the next poll asks again."""


@dataclass(frozen=True, slots=True)
class SiteTask:
    """One site to crawl (a source without a feed, or an ad-hoc crawl's start URLs)."""

    key: str
    """Budget and report key: the source's name, or ``adhoc``."""
    home: str
    source_id: int | None = None
    name: str = ""
    kind: str = "press"
    sitemaps: tuple[str, ...] = ()
    """Known sitemaps; none: robots.txt ``Sitemap:`` lines, else the usual paths."""
    depth: int = 1
    """Link hops followed from the home page (or the start URLs); 0: sitemaps only."""
    max_pages: int = 200
    start: tuple[str, ...] = ()
    """Ad-hoc crawls: URLs fetched whatever is stored."""
    language: str = ""
    """The source's declared language: a page's language when nothing else tells it."""


@dataclass(frozen=True, slots=True)
class Listed:
    """A page URL a sitemap or a section page offers, with the change date it gives."""

    url: str
    modified: datetime | None = None
    canonical: str = ""
    """Its canonical form when already known (sitemap entries carry it)."""


@dataclass(frozen=True, slots=True)
class PagesListed:
    """URLs found for a task: the pipeline fetches the new or changed ones (``depth`` is
    theirs), within the task's page budget."""

    task: SiteTask
    entries: tuple[Listed, ...]
    depth: int
    via: str
    """``sitemap`` (pages the site lists as its own) or ``section`` (links of a section)."""


@dataclass(frozen=True, slots=True)
class PageFetched:
    """One fetched page of a crawl: the page to match (articles), or why there is none."""

    task: SiteTask
    url: str
    page: Page | None = None
    error: str = ""
    """Why the fetch failed (``HTTP 404``, ``address guard: ...``, ``timeout``)."""
    problem: str = ""
    """Why a fetched page has no text (``empty``, ``binary``, ``no text``)."""
    status: int | None = None
    size: int = 0
    section: bool = False
    """A listing page (its links were followed), not a document."""
    queued: bool = False
    """Its request came from the pipeline's queue (which counts them back in)."""
    linked: bool = False
    """Reached through a link of a section page (not listed by the site as a page of its
    own): a dead link there is the site's, not a failure of the crawl."""
