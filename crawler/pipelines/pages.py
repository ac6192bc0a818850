"""The item pipeline of site and ad-hoc crawls: the only part of them that reads or writes
storage.

``PagesListed`` (URLs a sitemap or a section page offers) are checked against the stored
documents in one query: a URL already stored is fetched again only when the sitemap says it
changed since (site crawls; an ad-hoc crawl fetches what it finds). Section pages are not
documents, so they are read again on every crawl: that is where new articles appear. The
new URLs are handed back to the spider, within each task's page budget, a few hundred at a
time. ``PageFetched``
articles are stored as documents and go through the match stage (``StageHook``) in
batches, one transaction per batch; with ``--no-store`` the stage only evaluates them and
nothing is written. The pipeline keeps a page count per task and the current batch,
nothing per page.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from sqlalchemy.engine import Engine

from crawler.clock import CrawlClock
from crawler.domain import FoundVia, Mention, MentionKind
from crawler.matching import canonicalize_url
from crawler.pipelines.shared import shared_setting
from crawler.press.feedpages import source_info
from crawler.press.persist import StageHook
from crawler.press.report import CrawlReport, PageProblem
from crawler.spiders.items import Listed, PageFetched, PagesListed, SiteTask
from crawler.spiders.signals import page_wanted
from crawler.spiders.site import RUN_SETTING
from crawler.storage.db import session_scope
from crawler.storage.feeds import known_documents
from crawler.storage.mentions import mentions_for_documents, store_documents

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

CONTEXT_SETTING = RUN_SETTING  # the spider knows it too: no context means `scrapy crawl`
BATCH_ITEMS = 200
BATCH_SECONDS = 1.0
MAX_PROBLEMS = 200
#: Requests handed to Scrapy and not yet back (enough to keep every download slot busy).
MAX_IN_FLIGHT = 256


@dataclass
class CrawlContext:
    """What the pipeline needs from the runner."""

    org: str
    hook: StageHook
    report: CrawlReport
    found_via: FoundVia
    engine: Engine | None = None
    """None: evaluate only, store nothing (``crawl --no-store``)."""
    check_known: bool = True
    collect: bool = False
    """Keep the mentions found in the report (ad-hoc crawls print them)."""
    progress: Callable[[str, str], None] | None = None
    budgets: dict[str, int] = field(default_factory=dict)


def mention_json(mention: Mention, now: datetime) -> dict[str, Any]:
    """An unstored mention in the CLI contract's JSON shape (``mediamon mentions``)."""
    doc = mention.document
    return {
        "url": doc.url,
        "kind": mention.kind.value,
        "title": doc.title,
        "site": doc.site,
        "author": doc.author,
        "published_at": doc.published_at.isoformat() if doc.published_at else None,
        "first_seen_at": now.isoformat(),
        "target": mention.target or None,
        "queries": list(mention.queries),
        "terms": list(mention.terms),
        "snippet": mention.snippet,
        "found_via": mention.found_via.value,
    }


class PageStoragePipeline:
    """See the module docstring."""

    def __init__(self, crawler: Crawler, context: CrawlContext) -> None:
        self.crawler = crawler
        self.clock = CrawlClock.from_settings(crawler.settings)
        self.context = context
        self._pending: list[PageFetched] = []
        self._flushed_at = time.monotonic()
        self._waiting: dict[str, deque[tuple[SiteTask, Listed, int, bool]]] = {}
        self._in_flight = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageStoragePipeline:
        context = shared_setting(crawler.settings, CONTEXT_SETTING, CrawlContext)
        pipeline = cls(crawler, context)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PagesListed):
            self._listed(item)
        elif isinstance(item, PageFetched):
            if item.queued:
                self._in_flight = max(0, self._in_flight - 1)
                self._pump()
            self._count(item)
            if item.page is not None:
                self._pending.append(item)
                full = len(self._pending) >= BATCH_ITEMS
                if full or time.monotonic() - self._flushed_at >= BATCH_SECONDS:
                    self.flush()
        return item

    def spider_idle(self) -> None:
        """Write the last batch before the spider closes, and keep it open while URLs wait
        (a request the downloader dropped, such as a duplicate, never reported back: when
        the spider is idle nothing is in flight)."""
        self.flush()
        self._in_flight = 0
        if self._pump():
            raise DontCloseSpider

    def close_spider(self) -> None:
        self.flush()

    # -- listed URLs ---------------------------------------------------------------------

    def _listed(self, item: PagesListed) -> None:
        ctx = self.context
        task = item.task
        budget = task.max_pages - ctx.budgets.get(task.key, 0)
        if budget <= 0:
            return
        entries = {e.canonical or canonicalize_url(e.url): e for e in item.entries}
        ctx.report.listed += len(entries)
        known: dict[str, datetime] = {}
        if ctx.check_known and ctx.engine is not None:
            with session_scope(ctx.engine) as session:
                known = known_documents(session, list(entries))
        wanted = []
        for url, entry in entries.items():
            stored = known.get(url)
            if stored is not None and (entry.modified is None or entry.modified <= stored):
                ctx.report.known += 1
                continue
            wanted.append(entry if entry.canonical else Listed(entry.url, entry.modified, url))
        self._schedule(task, wanted[:budget], item.depth, listing=item.via == "section")

    def _schedule(self, task: SiteTask, entries: Sequence[Any], depth: int, listing: bool) -> None:
        if not entries:
            return
        self.context.budgets[task.key] = self.context.budgets.get(task.key, 0) + len(entries)
        waiting = self._waiting.setdefault(task.key, deque())
        waiting.extend((task, entry, depth, listing) for entry in entries)
        self._pump()

    def _pump(self) -> int:
        """Hand waiting URLs to the downloader, at most MAX_IN_FLIGHT at a time: Scrapy's
        queue holds full requests, ours only (task, URL, depth) — memory stays flat however
        many pages a sitemap lists. Returns how many were handed over."""
        sent = 0
        while self._waiting and self._in_flight < MAX_IN_FLIGHT:
            key = next(iter(self._waiting))  # round robin over sites: every slot stays busy
            waiting = self._waiting.pop(key)
            task, entry, depth, listing = waiting.popleft()
            if waiting:
                self._waiting[key] = waiting
            handled = self.crawler.signals.send_catch_log(
                page_wanted,
                task=task,
                url=entry.url,
                depth=depth,
                listing=listing,
                canonical=entry.canonical,
            )
            if not handled:
                logger.error("no spider handles page_wanted: %s not fetched", entry.url)
                self._waiting.clear()
                return sent
            self._in_flight += 1
            sent += 1
        return sent

    # -- fetched pages -------------------------------------------------------------------

    def _count(self, item: PageFetched) -> None:
        report = self.context.report
        report.bytes += item.size
        dead_link = item.linked and item.error.startswith("HTTP 4")
        if item.error and not dead_link:
            report.errors += 1
        elif not item.error:
            report.pages += 1
        reason = item.error or item.problem
        if reason and len(report.problems) < MAX_PROBLEMS:
            report.problems.append(PageProblem(item.url, reason))
        if self.context.progress is not None:
            outcome = reason or ("section" if item.section else "ok")
            self.context.progress(item.url, outcome)

    def flush(self) -> None:
        items, self._pending = self._pending, []
        self._flushed_at = time.monotonic()
        if not items:
            return
        try:
            self._write(items)
        except Exception:
            logger.exception("storing %d pages failed; storing them one by one", len(items))
            for item in items:
                try:
                    self._write([item])
                except Exception as exc:
                    logger.exception("could not store %s", item.url)
                    self.context.report.errors += 1
                    reason = f"not stored: {type(exc).__name__}: {exc}"[:300]
                    if len(self.context.report.problems) < MAX_PROBLEMS:
                        self.context.report.problems.append(PageProblem(item.url, reason))

    def _write(self, items: Sequence[PageFetched]) -> None:
        ctx = self.context
        report = ctx.report
        now = self.clock.now()
        by_task: dict[str, list[PageFetched]] = {}
        for item in items:
            by_task.setdefault(item.task.key, []).append(item)
        pages = [i.page for i in items if i.page is not None]
        found: list[Mention] = []
        for group in by_task.values():  # matching is per source (its kind labels the finds)
            task = group[0].task
            source = source_info(task.kind, task.source_id, task.name, ctx.found_via)
            found += ctx.hook.stage.evaluate([i.page for i in group if i.page], source)
        if ctx.engine is None:  # --no-store: evaluate only
            report.articles += len(pages)
            report.mentions += len(found)
            report.found += [mention_json(m, now) for m in found]
            return
        with session_scope(ctx.engine) as session:  # one transaction, whatever the sources
            store_documents(
                session, [(i.page.document, i.task.source_id) for i in items if i.page], now
            )
            counts = ctx.hook.persist(session, pages, found, now)
            if ctx.collect and counts.mentions:
                urls = list(dict.fromkeys(m.document.canonical_url for m in counts.mentions))
                report.found += [
                    v.as_json() for v in mentions_for_documents(session, ctx.org, urls)
                ]
        report.articles += len(pages)
        report.mentions += counts.new
        report.links += sum(1 for m in counts.mentions if m.kind is MentionKind.LINK)
        report.stories += counts.clustered
