"""Walking a paged feed (WordPress's ``/feed/?paged=N``) to the end, safely.

A feed's first page holds only the newest 10 or so posts; WordPress serves the older ones
at ``?paged=2``, ``?paged=3``... until a 404. Two broken servers are common: one ignores
``paged`` and answers page 1 for every N (the walk would loop for ever), one never ends
(a generated feed answering every N). ``FeedWalk`` stops at the first page that adds no post
it has not already seen ("loops") and after ``MAX_FEED_PAGES`` pages ("cap"), whichever
comes first; either is reported, and the posts already read are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.feeds.parse import parse_feed
from crawler.matching.urls import canonicalize_url
from crawler.posts.apis import with_page
from crawler.posts.model import FEED, FoundPost, RoutePage, RouteStatus

__all__ = ["MAX_FEED_PAGES", "FeedWalk", "paged_feed_url", "parse_feed_page"]

#: The most pages of one feed a sync reads (10 posts a page: 5,000 posts). Documented in the
#: README; a feed that still has more is reported as capped.
MAX_FEED_PAGES = 500


def paged_feed_url(feed_url: str, page: int) -> str:
    """Page ``page`` of a feed: the feed itself for page 1, else ``?paged=N``."""
    return feed_url if page <= 1 else with_page(feed_url, "paged", page)


def _canonical(url: str) -> str:
    try:
        return canonicalize_url(url)
    except Exception:  # a hostile link is never one of our posts
        return ""


def parse_feed_page(
    status: int, headers: dict[str, str], body: bytes, *, url: str, page: int, now: datetime
) -> RoutePage:
    """One feed page as posts. A 404 past page 1 is the normal end of a paged feed."""
    if status in (401, 403, 404, 410):
        if page > 1 and status in (404, 410):
            return RoutePage()
        return RoutePage(status=RouteStatus.UNAVAILABLE, detail=f"HTTP {status}")
    if status >= 500 or status in (408, 429):
        return RoutePage(status=RouteStatus.FAILED, detail=f"HTTP {status}")
    if not 200 <= status < 300:
        return RoutePage(status=RouteStatus.UNAVAILABLE, detail=f"HTTP {status}")
    feed = parse_feed(body, url=url, headers=headers, now=now)
    if feed.error and not feed.entries:
        if page > 1:
            return RoutePage(detail=f"page {page}: {feed.error}"[:300])
        return RoutePage(status=RouteStatus.UNAVAILABLE, detail=feed.error[:300])
    posts = tuple(
        FoundPost(
            url=e.link,
            title=e.title,
            published_at=e.published_at,
            wp_post_id=e.wp_post_id,
            routes=(FEED,),
        )
        for e in feed.entries
        if e.link
    )
    return RoutePage(posts)


@dataclass
class FeedWalk:
    """The state of one paged-feed walk: which posts it has seen, and whether to go on."""

    feed_url: str
    max_pages: int = MAX_FEED_PAGES
    page: int = 0
    seen: set[str] = field(default_factory=set)
    stop_reason: str = ""

    def next_url(self) -> str:
        """The next page to fetch, or ``""`` when the walk is over."""
        if self.stop_reason:
            return ""
        if self.page >= self.max_pages:
            self.stop_reason = f"stopped at the cap of {self.max_pages} pages"
            return ""
        return paged_feed_url(self.feed_url, self.page + 1)

    def take(self, result: RoutePage) -> list[FoundPost]:
        """Record one fetched page; returns the posts it adds (none: the walk ends)."""
        self.page += 1
        fresh = []
        for post in result.posts:
            key = _canonical(post.url)
            if key and key not in self.seen:
                self.seen.add(key)
                fresh.append(post)
        if result.status is not RouteStatus.OK or not result.posts:
            self.stop_reason = self.stop_reason or "end"
        elif not fresh:
            self.stop_reason = f"page {self.page} repeats earlier pages (the feed loops)"
        return fresh
