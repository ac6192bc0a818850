"""The feed spider: one conditional GET per due feed, parsed with the pure feed code.

It gets its work as ``FeedTask`` values (the runner reads the poll state) and yields
``FeedFetched`` / ``ArticleFetched`` items (pipelines store them); it never touches storage.
Feed requests send the stored validators verbatim, carry no cookies or Referer, ask for gzip,
are not retried within the run (the schedule is the retry) and are fetched as feed readers do:
robots.txt is not applied to explicitly configured feeds. Article pages obey robots.txt.

A source whose URL turns out to be an HTML page is *discovered*: its advertised feeds, then the
common feed paths, then its sitemaps, each fetched once through the same downloader
(``engine.download_async``), so limits, politeness and the address guard still apply.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

from crawler.domain import Document
from crawler.extract import extract_article
from crawler.feeds.discovery import (
    Discovered,
    common_feed_urls,
    default_sitemap_urls,
    feed_links,
    robots_sitemaps,
    robots_url,
)
from crawler.feeds.model import FeedEntry, ParsedFeed
from crawler.feeds.parse import parse_feed
from crawler.feeds.policy import Outcome, Severity, http_severity
from crawler.feeds.shared import KEPT_HEADERS, KeptFetch, kept_headers
from crawler.feeds.sitemaps import looks_like_sitemap, parse_sitemap
from crawler.fetching.errors import describe_failure, describe_status
from crawler.fetching.shared_fetch import SERVED_META, SHARE_META
from crawler.middlewares import HostBlocked
from crawler.press.feedpages import entry_links
from crawler.spiders.items import ArticleFetched, FeedFetched, FeedTask
from crawler.spiders.signals import articles_wanted
from crawler.spiders.standalone import check_standalone, standalone_arguments
from crawler.spiders.timing import crawl_now

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
#: Statuses the feed callback handles itself (3xx redirects stay with RedirectMiddleware).
HANDLED_STATUSES = [304, *range(400, 600)]
MAX_CHILD_SITEMAPS = 20
_KEPT_HEADERS = ("cache-control", "expires", "retry-after", "content-type")


def _header(response: Response, name: str) -> str:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else ""


def _sent_validators(response: Response) -> bool:
    request = response.request
    if request is None:
        return False
    return b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers


def _validators(response: Response) -> dict[str, str]:
    return {
        "etag": _header(response, "ETag"),
        "last_modified": _header(response, "Last-Modified"),
        "body_hash": hashlib.sha256(response.body).hexdigest(),
    }


#: (feed, discovered URLs or None, new source type or "", the response that was parsed)
_Parsed = tuple[ParsedFeed, tuple[Discovered, ...] | None, str, Response]


def fetched_as(response: Response, *also: str) -> tuple[str, ...]:
    """Every URL a response answered to: ``also``, the request's, each redirect, the final."""
    redirects = [str(u) for u in response.meta.get("redirect_urls") or ()]
    return tuple(dict.fromkeys(u for u in (*also, *redirects, response.url) if u))


def log_failure(task: FeedTask, reason: str, failure: Failure | None = None) -> None:
    """A feed the run handles but could not use: one INFO line with the source and the
    reason (shown with ``-v``), the traceback, if any, only at DEBUG (``-vv``). Never a
    traceback on stderr by default: the closing table and the source's events say it too."""
    logger.info("source %r (%s): %s", task.name, task.url, reason)
    if failure is not None and logger.isEnabledFor(logging.DEBUG):
        logger.debug("source %r: %s", task.name, failure.getTraceback())


def _headers(response: Response) -> dict[str, str]:
    return {name: _header(response, name) for name in _KEPT_HEADERS if _header(response, name)}


def _kept(response: Response, task: FeedTask, now: datetime) -> KeptFetch | None:
    """This response as kept for the other organisations watching the feed (#16): a 200's
    body, or the validators a 304 answered; nothing for a feed nobody else watches, for a
    failure, or for a response that was itself served from another organisation's fetch."""
    if not task.share or SERVED_META in response.meta:
        return None
    request = response.request
    if response.status == 304 and request is not None:
        return KeptFetch(
            url=task.url,
            status=304,
            fetched_at=now,
            etag=(request.headers.get("If-None-Match") or b"").decode("latin-1"),
            last_modified=(request.headers.get("If-Modified-Since") or b"").decode("latin-1"),
        )
    if response.status != 200:
        return None
    reasons = list(response.meta.get("redirect_reasons") or [])
    redirects = [str(u) for u in response.meta.get("redirect_urls") or []]
    return KeptFetch(
        url=task.url,
        status=200,
        fetched_at=now,
        final_url=response.url,
        redirects=tuple(
            (u, r) for u, r in zip(redirects, reasons, strict=False) if isinstance(r, int)
        ),
        headers=kept_headers({k: _header(response, k) for k in KEPT_HEADERS}),
        etag=_header(response, "ETag"),
        last_modified=_header(response, "Last-Modified"),
        body=response.body,
    )


#: The setting that carries a poll's context (``crawler.pipelines.feeds.CONTEXT_SETTING``).
RUN_SETTING = "MEDIAMON_POLL"


class FeedSpider(scrapy.Spider):
    """See the module docstring. ``tasks`` is the list of feeds to poll."""

    name = "feeds"

    def __init__(
        self,
        tasks: Iterable[FeedTask] = (),
        max_items: int = 1000,
        link_hosts: Iterable[str] | None = None,
        articles: Iterable[tuple[int, FeedEntry]] = (),
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.tasks = list(tasks)
        self.articles = list(articles)
        """Article pages an earlier poll left unread (#18): read whatever the feeds say."""
        self.max_items = max_items
        self.link_hosts = frozenset(link_hosts) if link_hosts is not None else None
        self._final_urls: dict[str, int] = {}

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        check_standalone(cls.name, settings, RUN_SETTING)  # `scrapy crawl feeds`: no run yet

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        # Started by Scrapy's command line: the runs layer prepares the run (its config,
        # due sources, pipeline and row) and gives back the spider's arguments.
        kwargs = standalone_arguments(cls.name, crawler, RUN_SETTING, kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.want_articles, signal=articles_wanted)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for task in self.tasks:
            yield self.feed_request(task)
        for source_id, entry in self.articles:
            yield self.article_request(source_id, entry)

    def want_articles(self, wanted: Sequence[tuple[int, FeedEntry]]) -> None:
        """Article pages the storage pipeline wants read (it knows which entries are new)."""
        if self.crawler.engine is None:
            return
        for source_id, entry in wanted:
            self.crawler.engine.crawl(self.article_request(source_id, entry))

    def feed_request(self, task: FeedTask, url: str = "") -> scrapy.Request:
        headers = {"Accept": FEED_ACCEPT, "Accept-Encoding": "gzip"}
        if task.conditional and task.etag:
            headers["If-None-Match"] = task.etag
        if task.conditional and task.last_modified:
            headers["If-Modified-Since"] = task.last_modified
        return scrapy.Request(
            url or task.url,
            callback=self.parse_feed,
            errback=self.feed_failed,
            headers=headers,
            dont_filter=True,
            meta={
                "task": task,
                "started": time.monotonic(),
                "dont_obey_robotstxt": True,
                "dont_retry": True,
                "handle_httpstatus_list": HANDLED_STATUSES,
                SHARE_META: task.url if task.share else "",
            },
        )

    def article_request(self, source_id: int, entry: FeedEntry) -> scrapy.Request:
        """The request for a summary-only entry's article page (robots.txt obeyed)."""
        return scrapy.Request(
            entry.link,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"source_id": source_id, "entry": entry},
        )

    # -- feeds ---------------------------------------------------------------------------

    def _base(self, response: Response, **values: Any) -> dict[str, Any]:
        task: FeedTask = response.meta["task"]
        reasons = response.meta.get("redirect_reasons") or []
        elapsed = time.monotonic() - float(response.meta.get("started", time.monotonic()))
        now = crawl_now(self)
        return {
            "task": task,
            "fetched_at": now,
            "url": task.url,
            "final_url": response.url,
            "status": response.status,
            "size": len(response.body),
            "elapsed_ms": int(elapsed * 1000),
            "headers": _headers(response),
            "permanent_redirect": bool(reasons) and all(r in (301, 308) for r in reasons),
            "sent_validators": _sent_validators(response),
            "kept": _kept(response, task, now),
            "shared_from": str(response.meta.get(SERVED_META) or ""),
            **values,
        }

    async def parse_feed(self, response: Response) -> AsyncIterator[FeedFetched]:
        task: FeedTask = response.meta["task"]
        if response.status == 304:
            yield FeedFetched(
                **self._base(
                    response,
                    outcome=Outcome.NOT_MODIFIED,
                    etag=_header(response, "ETag") or task.etag,
                    last_modified=_header(response, "Last-Modified") or task.last_modified,
                    body_hash=task.body_hash,
                )
            )
            return
        if response.status >= 400:
            failed = describe_status(response.status)
            log_failure(task, failed.label)
            yield FeedFetched(
                **self._base(
                    response, outcome=Outcome.FAILED, error=failed.label, severity=failed.severity
                )
            )
            return
        validators = _validators(response)
        if validators["body_hash"] == task.body_hash and not task.discover:
            yield FeedFetched(**self._base(response, outcome=Outcome.UNCHANGED, **validators))
            return
        first = self._final_urls.setdefault(response.url, task.source_id)
        same_as = str(first) if first != task.source_id else ""
        feed, discovered, new_type, origin = await self._parse_or_discover(response, task)
        if origin is not response:  # discovery: the validators of the feed that was found
            validators = _validators(origin)
        outcome = Outcome.NEW if feed.ok else Outcome.FAILED
        severity = None if feed.ok else Severity.HARD
        if not feed.ok:
            log_failure(task, feed.error)
        yield FeedFetched(
            **self._base(
                response,
                outcome=outcome,
                error=feed.error,
                severity=severity,
                feed=feed,
                discovered=discovered,
                new_type=new_type,
                same_as=same_as,
                **validators,
            )
        )

    def _parse_body(self, response: Response, type_: str) -> tuple[ParsedFeed, tuple[str, ...]]:
        headers = {
            k.decode("latin-1").lower(): v[0].decode("latin-1")
            for k, v in response.headers.items()
            if v
        }
        if type_ == "site" or looks_like_sitemap(response.body):
            doc = parse_sitemap(
                response.body, url=response.url, now=crawl_now(self), max_items=self.max_items
            )
            return doc.feed, doc.children
        feed = parse_feed(
            response.body,
            url=response.url,
            headers=headers,
            now=crawl_now(self),
            max_items=self.max_items,
        )
        return feed, ()

    async def _parse_or_discover(self, response: Response, task: FeedTask) -> _Parsed:
        feed, children = self._parse_body(response, task.type)
        if children:
            return await self._sitemap_index(children), None, "", response
        if feed.ok or not task.discover or feed.error != "parse error: html?":
            return feed, None, "", response
        return await self._discover(response)

    async def _fetch(self, url: str) -> Response | None:
        """One discovery fetch through the downloader (limits and guard apply); None on
        any failure, which discovery treats as "not here"."""
        request = scrapy.Request(
            url,
            headers={"Accept": FEED_ACCEPT, "Accept-Encoding": "gzip"},
            dont_filter=True,
            meta={"dont_obey_robotstxt": True, "dont_retry": True},
        )
        assert self.crawler.engine is not None
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception:  # any download failure: try the next candidate
            return None
        return response if response.status == 200 else None

    async def _sitemap_index(self, children: Iterable[str]) -> ParsedFeed:
        entries: dict[str, FeedEntry] = {}
        for url in list(children)[:MAX_CHILD_SITEMAPS]:
            response = await self._fetch(url)
            if response is None:
                continue
            doc = parse_sitemap(
                response.body, url=response.url, now=crawl_now(self), max_items=self.max_items
            )
            for entry in doc.feed.entries:
                entries.setdefault(entry.key, entry)
        kept = sorted(
            entries.values(),
            key=lambda e: e.published_at or datetime.min.replace(tzinfo=UTC),
            reverse=True,
        )
        return ParsedFeed(
            format="sitemap",
            entries=tuple(kept[: self.max_items]),
            total_entries=len(kept),
            capped=len(kept) > self.max_items,
        )

    async def _discover(self, response: Response) -> _Parsed:
        advertised = feed_links(response.body, response.url)
        candidates = [d.url for d in advertised] or common_feed_urls(response.url)
        for url in candidates:
            found = await self._fetch(url)
            if found is None:
                continue
            feed, _ = self._parse_body(found, "feed")
            if feed.ok and feed.format != "sitemap":
                kinds = {d.url: d for d in advertised}
                first = kinds.get(url, Discovered(url, feed.format, feed.title))
                rest = tuple(d for d in advertised if d.url != url)
                return feed, (first, *rest), "feed", found
        sitemaps: list[str] = []
        robots = await self._fetch(robots_url(response.url))
        if robots is not None:
            sitemaps = robots_sitemaps(robots.body.decode("utf-8", "replace"), robots.url)
        for url in [*sitemaps, *default_sitemap_urls(response.url)]:
            found = await self._fetch(url)
            if found is None or not looks_like_sitemap(found.body):
                continue
            feed, children = self._parse_body(found, "site")
            if children:
                feed = await self._sitemap_index(children)
            if feed.ok:
                return feed, (Discovered(url, "sitemap"),), "site", found
        failed = ParsedFeed(format="", error="parse error: html? (no feed or sitemap found)")
        return failed, (), "", response

    def feed_failed(self, failure: Failure) -> Iterator[FeedFetched]:
        request = failure.request  # type: ignore[attr-defined]
        task: FeedTask = request.meta["task"]
        blocked = failure.value
        if isinstance(blocked, HostBlocked):
            yield FeedFetched(
                task=task,
                outcome=Outcome.FAILED,
                fetched_at=crawl_now(self),
                url=task.url,
                error=str(blocked),
                deferred_until=blocked.until,
            )
            return
        error = describe_failure(failure, request.url)
        log_failure(task, error.label, failure)
        elapsed = time.monotonic() - float(request.meta.get("started", time.monotonic()))
        yield FeedFetched(
            task=task,
            outcome=Outcome.FAILED,
            fetched_at=crawl_now(self),
            url=task.url,
            final_url=request.url,
            error=error.label,
            severity=error.severity,
            elapsed_ms=int(elapsed * 1000),
        )

    # -- articles ------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[ArticleFetched]:
        entry: FeedEntry = response.meta["entry"]
        article = extract_article(
            response.body,
            response.url,
            _header(response, "Content-Type"),
            link_hosts=self.link_hosts,
            content_language=_header(response, "Content-Language"),
        )
        document = Document(
            canonical_url=entry.canonical_url,
            url=entry.link,
            title=entry.title or article.title,
            author=entry.author or article.author,
            site="",  # the feed's title, stored with the entry, names the site
            language=entry.language or article.language,
            published_at=entry.published_at or article.date,
            text=article.text or entry.text,
        )
        yield ArticleFetched(
            response.meta["source_id"],
            entry,
            document,
            fetched_at=crawl_now(self),
            links=article.links if article.text else entry_links(entry),
            fetched_as=fetched_as(response, entry.link),
        )

    def article_failed(self, failure: Failure) -> Iterator[ArticleFetched]:
        request = failure.request  # type: ignore[attr-defined]
        error = describe_failure(failure, request.url)
        label, transient = error.label, error.severity is not Severity.HARD
        response = getattr(failure.value, "response", None)
        if response is not None:
            label = f"HTTP {response.status}"
            transient = http_severity(response.status) is not Severity.HARD
        yield ArticleFetched(
            request.meta["source_id"],
            request.meta["entry"],
            None,
            label,
            crawl_now(self),
            transient=transient,
        )
