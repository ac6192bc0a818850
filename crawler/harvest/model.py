"""Plain values passed between the harvest runner, the linkback spiders and the pipelines.

The runner reads storage and builds tasks (``PostTask``, ``SourceTask``); spiders fetch and
parse and yield items (``PostHarvested``, ``SourceChecked``, ``PageEndpoints``); pipelines
store them. Everything is a frozen dataclass without framework types, so the spiders never
see storage, the items survive Scrapy's item handling unchanged, and every rule downstream
of a fetch can be tested with hand-made values.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from crawler.domain import FoundVia, MentionKind
from crawler.linkbacks.model import ParsedLinkback
from crawler.linkbacks.verify import Verification
from crawler.matching.urls import canonicalize_url

# Route names, as the harvest report shows them.
HTML = "html"  # the post page's comment list
FEED = "feed"  # the post's own comment feed
SITE_FEED = "site-feed"  # the site-wide comment feed
WPCOM_API = "wpcom-api"  # the WordPress.com public replies API (type=pings)
XMLRPC = "xmlrpc"  # pingback.extensions.getPingbacks at the advertised endpoint
WP_REST = "wp-rest"  # self-hosted core REST (refuses pings to anonymous clients)

#: Report and merge order: exact routes first, the inferred (feed) ones last.
ROUTE_ORDER = (HTML, WPCOM_API, WP_REST, XMLRPC, FEED, SITE_FEED)

FOUND_VIA: Mapping[str, FoundVia] = {
    HTML: FoundVia.COMMENTS,
    FEED: FoundVia.COMMENTS,
    SITE_FEED: FoundVia.COMMENTS,
    WPCOM_API: FoundVia.API,
    XMLRPC: FoundVia.API,
    WP_REST: FoundVia.API,
}


class RouteState(enum.StrEnum):
    OK = "ok"  # the route answered (possibly with nothing)
    UNAVAILABLE = "unavailable"  # the route refused or does not exist here: says nothing
    FAILED = "failed"  # a transient fetch failure (timeout, 5xx, DNS)


@dataclass(frozen=True, slots=True)
class RouteResult:
    """What one route said about one post."""

    route: str
    state: RouteState
    records: tuple[ParsedLinkback, ...] = ()
    detail: str = ""  # why it was unavailable or failed, or a note ("truncated at 10 items")
    truncated: bool = False  # a capped feed that may have pushed older items out
    asked: bool = True  # False: not even requested (no feed URL, no post id, ...)

    @property
    def ok(self) -> bool:
        return self.state is RouteState.OK


@dataclass(frozen=True, slots=True)
class Fetched:
    """One response (or failure) as the pure code needs it: no Scrapy types."""

    url: str
    final_url: str = ""
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    error: str = ""  # a fetch failure label ("timeout", "address guard: ...") or ""

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None and 200 <= self.status < 300

    @property
    def problem(self) -> str:
        """Why this is not a usable answer ("timeout", "HTTP 503"), or ``""``."""
        if self.error:
            return self.error
        if self.status is None:
            return "no response"
        return "" if 200 <= self.status < 300 else f"HTTP {self.status}"


@dataclass(frozen=True, slots=True)
class Blocklist:
    """Sources never recorded: a domain (and its subdomains) or one canonical URL, from the
    config (``receiver.block_domains``/``block_urls``) and the database — the receiver's
    rule, applied to harvested linkbacks too (linkbacks.md case 58)."""

    domains: frozenset[str] = frozenset()
    urls: frozenset[str] = frozenset()

    @classmethod
    def of(cls, domains: Iterable[str], urls: Iterable[str]) -> Blocklist:
        return cls(
            frozenset(d.strip().lower().strip(".") for d in domains if d.strip()),
            frozenset(_canonical(u) for u in urls if u.strip()),
        )

    def blocks(self, url: str) -> bool:
        try:
            host = (urlsplit(url).hostname or "").lower().rstrip(".")
        except ValueError:
            return False
        if any(host == d or host.endswith("." + d) for d in self.domains):
            return True
        return bool(self.urls) and _canonical(url) in self.urls


def _canonical(url: str) -> str:
    try:
        return canonicalize_url(url.strip())
    except Exception:  # a hostile URL matches nothing
        return url.strip()


@dataclass(frozen=True, slots=True)
class PostTask:
    """One of our posts to harvest, and what the runner already knows about it."""

    post_id: int
    url: str
    canonical_url: str
    title: str = ""
    wp_post_id: int | None = None
    platform: str = "wordpress"
    site_url: str = ""
    comment_feed_url: str = ""
    checked: frozenset[str] = frozenset()
    """Document keys of linkbacks whose source was already fetched: not fetched again."""
    first_harvest: bool = False
    """Never harvested before: what it turns up is the post's archive, digest only (#21)."""
    last_harvested_at: datetime | None = None
    """When the post was last harvested (a watched post is pulled in by newer comments)."""


@dataclass(frozen=True, slots=True)
class Linkback:
    """One linkback of one post after merging every route that saw it.

    ``key`` is the document's canonical URL: the canonical source URL for pings, reblogs and
    webmentions, ``<canonical post URL>#comment-N`` for comments.
    """

    kind: MentionKind
    key: str
    url: str
    target: str
    routes: tuple[str, ...]
    comment_ids: tuple[int, ...] = ()
    title: str = ""
    author: str = ""
    author_url: str = ""
    site_name: str = ""
    excerpt: str = ""
    note: str = ""
    published: datetime | None = None
    by_organisation: bool = False
    inferred: bool = False

    @property
    def is_comment(self) -> bool:
        return self.kind is MentionKind.COMMENT


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """A source page fetched and verified against its target."""

    url: str
    final_url: str = ""
    status: int | None = None
    verification: Verification | None = None
    error: str = ""  # fetch failure label; else the verification tells

    @property
    def problem(self) -> str:
        if self.error:
            return self.error
        return self.verification.problem if self.verification is not None else "not checked"


@dataclass(frozen=True, slots=True)
class PostHarvested:
    """Everything one harvest of one post found (the item the harvest spider yields)."""

    task: PostTask
    fetched_at: datetime
    routes: tuple[RouteResult, ...]
    linkbacks: tuple[Linkback, ...]
    checks: Mapping[str, SourceCheck] = field(default_factory=dict)
    unresolved: int = 0  # feed pings whose source URL no route gave
    skipped_checks: int = 0  # sources left for the next run (per-post cap)
    blocked: int = 0  # linkbacks from blocked sources, dropped

    @property
    def answered(self) -> bool:
        """Did any route answer at all, even "unavailable" (so the post waits its interval
        before the next harvest)? All failed (timeouts, DNS): it is tried again next run."""
        return any(r.asked and r.state is not RouteState.FAILED for r in self.routes)

    @property
    def harvested(self) -> bool:
        """Did any route give its linkbacks (else the post counts as failed)?"""
        return any(r.ok for r in self.routes)


@dataclass(frozen=True, slots=True)
class SourceTask:
    """A source page to fetch and verify: a re-check of a mention, or a receipt.

    ``ref`` identifies the job's own record (a mention id, a receipt id); ``receipt`` carries
    what ``crawler.receiver.decide`` reads of a receipt (None for re-checks).
    """

    ref: int
    url: str
    target: str
    kind: str = ""
    checks: int = 0
    first_seen_at: datetime | None = None
    receipt: ReceiptInfo | None = None


@dataclass(frozen=True, slots=True)
class ReceiptInfo:
    """The fields of a queued receipt that the verify decision needs (``ReceiptLike``)."""

    protocol: str
    state: str
    target: str
    payload: Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True)
class SourceChecked:
    """The item the source-check spider yields: one task and its check."""

    task: SourceTask
    check: SourceCheck
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class PageEndpoints:
    """The linkback endpoints one page advertises (``mediamon linkbacks --check``)."""

    url: str
    final_url: str = ""
    status: int | None = None
    pingback: str | None = None
    webmention: str | None = None
    trackback: str | None = None
    notes: tuple[str, ...] = ()
    error: str = ""

    def as_json(self) -> dict[str, str | None]:
        """The CLI contract's object: exactly these four keys."""
        return {
            "url": self.url,
            "pingback": self.pingback,
            "webmention": self.webmention,
            "trackback": self.trackback,
        }
