"""Item pipelines: the only Scrapy code that writes to storage.

``FeedStoragePipeline`` turns each ``FeedFetched`` into the source's new poll state (through
the pure policy), stores new entries as documents (or, for the organisation's own feeds, as
posts), records the fetch event and any Retry-After host block, and asks the spider for the
article pages of new summary-only entries. ``ArticleFetched`` items upgrade those documents
to the article's main text.

The match stage plugs in here: ``PollContext.matcher`` (a ``MatchHook``, in practice
``crawler.press.persist.StageHook``) is called with the new pages of each item — full-text
entries with the links of their own HTML, article pages with their main-text links; summary-
only entries wait for their article — inside the transaction that stores them, and stores
its mentions and stories in that same transaction. Items of other feeds are held back until
the organisation's own feeds of the run are stored, so a post published this morning is
already known when an article linking to it is matched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.clock import CrawlClock
from crawler.domain import FoundVia, Platform, Post
from crawler.feeds.model import FeedEntry, ParsedFeed, entry_to_json
from crawler.feeds.policy import (
    Outcome,
    PollLimits,
    PollState,
    decide,
)
from crawler.feeds.report import PollReport, SourceReport
from crawler.fetching.shared_fetch import SharedFetches
from crawler.pipelines.shared import shared_setting
from crawler.press.feedpages import entry_page, matchable_entries, source_info
from crawler.press.model import Page, SourceInfo
from crawler.press.report import PollMatchReport
from crawler.spiders.feeds import RUN_SETTING
from crawler.spiders.items import ArticleFetched, FeedFetched
from crawler.spiders.outcomes import fetch_event, fetch_result, status_label
from crawler.spiders.signals import articles_wanted
from crawler.storage.db import session_scope
from crawler.storage.feeds import (
    PollUpdate,
    apply_poll_update,
    article_failed,
    article_read,
    block_host,
    get_source,
    load_sources,
    mark_articles_due,
    store_entries,
)
from crawler.storage.fetches import keep_fetch
from crawler.storage.mentions import upsert_documents
from crawler.storage.models import SourceRow
from crawler.storage.posts import upsert_posts

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

CONTEXT_SETTING = RUN_SETTING  # the spider knows it too: no context means `scrapy crawl`
#: Items are written in batches: one transaction per this many items, or per this many
#: seconds, whichever comes first (5,000 commits a run cost more than the polling itself).
BATCH_ITEMS = 200
BATCH_SECONDS = 1.0
STORE_ORDER = 500


class MatchHook(Protocol):
    """The match stage as pipelines see it (``crawler.press.persist.StageHook``): called
    inside the storing transaction; the result's ``new`` counts new mentions."""

    def __call__(
        self, session: Session, pages: Sequence[Page], source: SourceInfo, now: datetime
    ) -> Any: ...

    def posts_changed(self, session: Session) -> None: ...


Progress = Callable[[str, str], None]


@dataclass
class OwnSite:
    url: str
    platform: Platform


@dataclass
class PollContext:
    """Everything the pipeline needs from the runner (passed in the crawler settings)."""

    engine: Engine
    org: str
    limits: PollLimits = field(default_factory=PollLimits)
    keep_events: int = 30
    own_sites: dict[int, OwnSite] = field(default_factory=dict)
    report: PollReport = field(default_factory=PollMatchReport)
    matcher: MatchHook | None = None
    progress: Progress | None = None
    fetch_articles: bool = True
    shared: SharedFetches | None = None
    """Feeds other organisations watch (#16): their fetches are kept for them."""


def _state(row: SourceRow, url: str) -> PollState:
    return PollState(
        url=url,
        interval=row.interval_seconds,
        failures=row.failures,
        health=row.health,
        redirect_url=row.redirect_url,
        redirect_count=row.redirect_count,
    )


def _own_posts(org: str, site: OwnSite, entries: Sequence[FeedEntry]) -> list[Post]:
    return [
        Post(
            org=org,
            canonical_url=e.canonical_url,
            url=e.link,
            title=e.title,
            published_at=e.published_at,
            comment_feed_url=e.comment_feed_url,
            comment_count=e.comment_count,
            platform=site.platform,
            wp_post_id=e.wp_post_id,
        )
        for e in entries
    ]


@dataclass
class _Written:
    """What storing one item did, applied to the report only once its transaction commits."""

    lines: list[SourceReport] = field(default_factory=list)
    new_entries: list[tuple[int, FeedEntry]] = field(default_factory=list)
    posts: int = 0
    articles: int = 0
    article_errors: int = 0
    mentions: int = 0

    @property
    def outcome(self) -> str:
        """An article item's outcome, for the progress bar."""
        return "article read" if self.articles else "article not read"


class FeedStoragePipeline:
    """See the module docstring."""

    def __init__(self, crawler: Crawler, context: PollContext) -> None:
        self.crawler = crawler
        self.clock = CrawlClock.from_settings(crawler.settings)
        self.context = context
        self._pending: list[FeedFetched | ArticleFetched] = []
        self._held: list[FeedFetched | ArticleFetched] = []
        self._own_due = set(context.own_sites) if context.matcher is not None else set()
        self._flushed_at = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FeedStoragePipeline:
        context = shared_setting(crawler.settings, CONTEXT_SETTING, PollContext)
        pipeline = cls(crawler, context)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    def process_item(self, item: Any) -> Any:
        """Queue the item; write the queue in one transaction when it is full or old."""
        if isinstance(item, FeedFetched | ArticleFetched):
            own = isinstance(item, FeedFetched) and item.task.source_id in self._own_due
            if self._own_due and not own:
                self._held.append(item)  # until our own posts of this run are stored
                return item
            self._pending.append(item)
            if own:
                assert isinstance(item, FeedFetched)
                self._own_due.discard(item.task.source_id)
                if not self._own_due:
                    self.flush()  # our posts first, then what was held
                    self._release()
            full = len(self._pending) >= BATCH_ITEMS
            if full or time.monotonic() - self._flushed_at >= BATCH_SECONDS:
                self.flush()
        return item

    def _release(self) -> None:
        self._own_due.clear()
        self._pending += self._held
        self._held = []

    def spider_idle(self) -> None:
        """Write what is queued before the spider may close: the new entries it holds may
        still need their article pages fetched."""
        if self._held:
            self._release()
        if self._pending and self.flush():
            raise DontCloseSpider

    def close_spider(self) -> None:
        self._release()
        self.flush()

    def flush(self) -> int:
        """Store the queued items in one transaction; if that fails, one transaction per item
        so that one bad item costs only itself. Returns how many article requests were
        scheduled."""
        items, self._pending = self._pending, []
        self._flushed_at = time.monotonic()
        if not items:
            return 0
        try:
            written = self._write(items)
        except Exception:
            logger.exception("storing %d items failed; storing them one by one", len(items))
            written = []
            for item in items:
                try:
                    written += self._write([item])
                except Exception as exc:
                    logger.exception("could not store %r", item)
                    written.append(_failed_write(item, exc))
        new_entries: list[tuple[int, FeedEntry]] = []
        report = self.context.report
        for item, result in zip(items, written, strict=True):
            if isinstance(item, FeedFetched):
                self._count(item, len(result.new_entries))
            report.lines += result.lines
            report.posts += result.posts
            report.articles += result.articles
            report.article_errors += result.article_errors
            if isinstance(report, PollMatchReport):
                report.mentions += result.mentions
            new_entries += result.new_entries
            progress = self.context.progress
            if progress is not None:
                for line in result.lines:
                    progress(line.name, line.outcome)
                if isinstance(item, ArticleFetched):  # the bar moves with pages read (#18)
                    progress(item.entry.title or item.entry.link, result.outcome)
        if not self.context.fetch_articles:
            return 0
        asked = self._request_articles(new_entries)
        grow = getattr(self.context.progress, "grow", None)
        if asked and callable(grow):
            grow(asked)
        return asked

    def _write(self, items: Sequence[FeedFetched | ArticleFetched]) -> list[_Written]:
        out = []
        with session_scope(self.context.engine) as session:
            ids = set()
            for item in items:
                if isinstance(item, FeedFetched):
                    ids |= {item.task.source_id, *item.task.also_for}
            load_sources(session, ids)  # one query loads every row the batch updates
            for item in items:
                written = _Written()
                if isinstance(item, FeedFetched):
                    for source_id in (item.task.source_id, *item.task.also_for):
                        self._store_source(session, source_id, item, written)
                    self._keep(session, item)
                else:
                    self._article(session, item, written)
                out.append(written)
        return out

    # -- feeds -----------------------------------------------------------------------------

    def _keep(self, session: Session, item: FeedFetched) -> None:
        """Keep this fetch for the other organisations watching the feed (#16), in a savepoint:
        a failure here costs the others a fetch of their own, never this item's entries."""
        shared, kept = self.context.shared, item.kept
        if shared is None or kept is None or len(kept.body) > shared.max_bytes:
            return
        try:
            with session.begin_nested():
                keep_fetch(session, self.context.org, shared.profile(kept.url), kept)
        except Exception:
            logger.warning("could not keep the fetch of %s for others", kept.url, exc_info=True)

    def _store_source(
        self, session: Session, source_id: int, item: FeedFetched, written: _Written
    ) -> None:
        ctx = self.context
        row = get_source(session, source_id)
        if row is None:
            return
        if item.deferred_until is not None:
            later = max(item.deferred_until, row.next_check_at or item.deferred_until)
            apply_poll_update(session, source_id, self._deferred(row, item, later), ctx.keep_events)
            written.lines.append(SourceReport(row.name, "deferred", status_label(item)))
            return
        feed = item.feed
        fresh: list[FeedEntry] = []
        if feed is not None and item.outcome is Outcome.NEW:
            fresh = self._store_entries(session, row, feed, item.fetched_at, written)
        state = _state(row, item.task.url)
        decision = decide(state, fetch_result(item, ctx.limits), item.fetched_at, ctx.limits)
        move_to = decision.move_to if item.task.url == row.url else ""
        ok = item.outcome is not Outcome.FAILED
        change = PollUpdate(
            checked_at=item.fetched_at,
            next_check_at=decision.next_check_at,
            interval_seconds=decision.interval,
            failures=decision.failures,
            health=decision.health,
            last_status=item.status,
            last_error=item.error,
            event=fetch_event(item, len(fresh)),
            redirect_url=decision.redirect_url,
            redirect_count=decision.redirect_count,
            etag=item.etag if ok else None,
            last_modified=item.last_modified if ok else None,
            body_hash=item.body_hash if ok else None,
            new_entries=len(fresh),
            move_to=move_to,
            discovered=[d.as_json() for d in item.discovered]
            if item.discovered is not None
            else None,
            type=item.new_type if item.new_type == "site" and row.type != "own" else "",
        )
        note = apply_poll_update(session, source_id, change, ctx.keep_events)
        if note:
            written.lines.append(SourceReport(row.name, "note", "", 0, note))
        if decision.host_blocked_until is not None:
            host = urlsplit(item.final_url or item.url).hostname or ""
            block_host(session, host, decision.host_blocked_until, f"Retry-After from {item.url}")
        status = status_label(item)
        written.lines.append(
            SourceReport(row.name, item.outcome.value, status, len(fresh), item.error)
        )
        written.new_entries += [(source_id, e) for e in fresh]

    def _deferred(self, row: SourceRow, item: FeedFetched, until: datetime) -> PollUpdate:
        return PollUpdate(
            checked_at=row.checked_at or item.fetched_at,
            next_check_at=until,
            interval_seconds=row.interval_seconds,
            failures=row.failures,
            health=row.health,
            last_status=row.last_status,
            last_error=row.last_error,
            event=fetch_event(item, 0),
            redirect_url=row.redirect_url,
            redirect_count=row.redirect_count,
        )

    def _store_entries(
        self, session: Session, row: SourceRow, feed: ParsedFeed, now: datetime, written: _Written
    ) -> list[FeedEntry]:
        ctx = self.context
        own = ctx.own_sites.get(row.id)
        site = feed.title or (urlsplit(feed.link).hostname or "")
        stored = store_entries(session, row.id, feed.entries, now, site=site, as_documents=not own)
        if own is not None:
            posts = _own_posts(ctx.org, own, feed.entries)
            upsert_posts(session, posts, now, site_url=own.url)
            written.posts += len(stored.new)
            if stored.new and ctx.matcher is not None:
                ctx.matcher.posts_changed(session)
            return list(stored.new)
        if ctx.fetch_articles:  # due until read: saved with the feed's validators (#18)
            due = {e.key: entry_to_json(e) for e in stored.new if not e.has_full_text}
            mark_articles_due(session, row.id, due)
        if ctx.matcher is not None and stored.new:
            pages = matchable_entries(stored.new, site, articles_follow=ctx.fetch_articles)
            written.mentions += self._match(session, pages, row, now)
        return list(stored.new)

    def _match(self, session: Session, pages: Sequence[Page], row: SourceRow, now: datetime) -> int:
        """Run the match stage on ``pages``; returns how many new mentions it stored."""
        ctx = self.context
        if ctx.matcher is None or not pages:
            return 0
        source = source_info(row.kind, row.id, row.name, FoundVia.FEED)
        result = ctx.matcher(session, pages, source, now)
        return int(getattr(result, "new", 0))

    def _request_articles(self, entries: Sequence[tuple[int, FeedEntry]]) -> int:
        """Ask the spider (``articles_wanted``) for the article pages of new summary-only
        entries of other sites; returns how many were asked for."""
        seen: set[str] = set()
        wanted = []
        for source_id, entry in entries:
            if source_id in self.context.own_sites:
                continue
            if entry.has_full_text or entry.canonical_url in seen:
                continue
            seen.add(entry.canonical_url)
            wanted.append((source_id, entry))
        if not wanted:
            return 0
        handled = self.crawler.signals.send_catch_log(articles_wanted, wanted=wanted)
        if not handled:
            logger.error("no spider handles articles_wanted: %d article(s) not read", len(wanted))
            return 0
        return len(wanted)

    def _count(self, item: FeedFetched, new: int) -> None:
        report = self.context.report
        report.sources += 1 + len(item.task.also_for)
        report.bytes += item.size
        report.new_entries += new
        if item.shared_from:
            report.shared += 1
        if item.deferred_until is not None:
            report.deferred += 1
        elif item.outcome is Outcome.NEW:
            report.fetched += 1
        elif item.outcome is Outcome.NOT_MODIFIED:
            report.not_modified += 1
        elif item.outcome is Outcome.UNCHANGED:
            report.unchanged += 1
        else:
            report.errors += 1

    # -- articles --------------------------------------------------------------------------

    def _article(self, session: Session, item: ArticleFetched, written: _Written) -> None:
        now = item.fetched_at or self.clock.now()
        row = get_source(session, item.source_id)
        if item.document is None:
            written.article_errors += 1
            if item.transient and article_failed(session, item.entry.canonical_url):
                return  # still due: the next poll reads it (the feed may answer 304 then)
            article_read(session, item.entry.canonical_url)
            if row is not None:  # the page cannot be read: the feed's own words still count
                written.mentions += self._match(session, [entry_page(item.entry, "")], row, now)
            return
        upsert_documents(session, [item.document], now, source_id=item.source_id)
        article_read(session, item.entry.canonical_url)
        if row is not None:
            page = Page(item.document, item.links, item.fetched_as)
            written.mentions += self._match(session, [page], row, now)
        written.articles += 1


def _failed_write(item: FeedFetched | ArticleFetched, exc: Exception) -> _Written:
    """The report entry for an item that could not be stored at all."""
    if isinstance(item, ArticleFetched):
        return _Written(article_errors=1)
    reason = f"not stored: {type(exc).__name__}: {exc}"[:300]
    return _Written(lines=[SourceReport(item.task.name, "failed", "storage error", 0, reason)])
