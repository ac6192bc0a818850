"""The site spider: pages of sources that have no feed, through sitemaps and section pages.

Each ``SiteTask`` is one site. Its sitemaps (the discovered ones, else robots.txt's
``Sitemap:`` lines, else the usual paths; news sitemaps and sitemap indexes alike) and, when
the task allows link hops, its home page are fetched. A sitemap yields ``PagesListed`` of its
URLs with their change dates; a section page (one whose metadata does not say it is an
article) yields ``PagesListed`` of its same-site links, one hop deeper, up to the task's
depth. The pipeline decides which of them to fetch (the new or changed ones, within the
page budget: only it may ask storage) and hands the requests back through
:meth:`SiteSpider.page_request`. An article page yields ``PageFetched`` with its main text and
main-text links. Every fetch goes through the shared downloader: robots.txt, politeness,
limits and the address guard apply. The spider never touches storage.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

from crawler.domain import Document
from crawler.extract import extract_article
from crawler.feeds.discovery import default_sitemap_urls, robots_sitemaps, robots_url
from crawler.feeds.sitemaps import looks_like_sitemap, parse_sitemap
from crawler.fetching.errors import describe_failure
from crawler.matching import canonicalize_url
from crawler.matching.sites import site_key
from crawler.middlewares import host_of
from crawler.press.model import Page
from crawler.spiders.feeds import fetched_as
from crawler.spiders.items import Listed, PageFetched, PagesListed, SiteTask
from crawler.spiders.signals import page_wanted
from crawler.spiders.standalone import check_standalone, standalone_arguments
from crawler.spiders.timing import crawl_now

MAX_CHILD_SITEMAPS = 50
#: Links to these are files, not pages: never followed.
_NOT_PAGES = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|pdf|zip|gz|mp[34]|avi|mov|css|js|xml|rss|atom|json|txt)$",
    re.IGNORECASE,
)


def _header(response: Response, name: str) -> str:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else ""


def same_site(url: str, home: str) -> bool:
    """Whether ``url`` is on the site of ``home`` (same registered domain, http(s))."""
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        return False
    return scheme in ("http", "https") and site_key(host_of(url)) == site_key(host_of(home))


def followable(url: str, home: str) -> bool:
    """A same-site link to something that may be a page (not a file, not a fragment)."""
    path = urlsplit(url).path
    return same_site(url, home) and not _NOT_PAGES.search(path)


#: The setting that carries a site crawl's context (``crawler.pipelines.pages.CONTEXT_SETTING``).
RUN_SETTING = "MEDIAMON_CRAWL"


class SiteSpider(scrapy.Spider):
    """See the module docstring."""

    name = "site"
    #: Follow links of article pages too (ad-hoc crawls), not only of section pages.
    follow_articles = False

    def __init__(
        self,
        tasks: Iterable[SiteTask] = (),
        link_hosts: Iterable[str] | None = None,
        fetch_only: bool = False,
        max_items: int = 1000,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.tasks = list(tasks)
        self.link_hosts = frozenset(link_hosts) if link_hosts is not None else None
        self.fetch_only = fetch_only
        self.max_items = max_items

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        check_standalone(cls.name, settings, RUN_SETTING)  # `scrapy crawl site`: no run yet

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        # Started by Scrapy's command line: the runs layer prepares the crawl (config, sources
        # without feeds, pipeline and row) and gives back the spider's arguments.
        kwargs = standalone_arguments(cls.name, crawler, RUN_SETTING, kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.want_page, signal=page_wanted)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for task in self.tasks:
            for request in self.task_requests(task):
                yield request

    def want_page(
        self, task: SiteTask, url: str, depth: int, listing: bool, canonical: str
    ) -> None:
        """A page the storage pipeline wants fetched (it knows what is new)."""
        request = self.page_request(task, url, depth, listing=listing)
        request.meta["queued"] = True
        request.meta["canonical"] = canonical
        if self.crawler.engine is not None:
            self.crawler.engine.crawl(request)

    def task_requests(self, task: SiteTask) -> Iterator[scrapy.Request]:
        if task.sitemaps:
            for url in task.sitemaps:
                yield self.sitemap_request(task, url)
        else:
            yield scrapy.Request(
                robots_url(task.home),
                callback=self.parse_robots,
                errback=self.robots_failed,
                meta={"task": task, "dont_obey_robotstxt": True},
            )
        if task.depth >= 1:
            yield self.page_request(task, task.home, 0, listing=True)

    def sitemap_request(self, task: SiteTask, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self.sitemap_failed,
            headers={"Accept-Encoding": "gzip"},
            meta={"task": task},
        )

    def page_request(
        self, task: SiteTask, url: str, depth: int, *, listing: bool
    ) -> scrapy.Request:
        """The request for one page (the pipeline calls this for the URLs it wants).

        ``listing``: the page may be a section (it was reached by a link); read as an
        article only if its metadata says so. Sitemap URLs and ad-hoc start URLs are read
        as articles whatever their metadata.
        """
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            meta={"task": task, "depth": depth, "listing": listing},
        )

    # -- sitemaps ------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        task: SiteTask = response.meta["task"]
        found: list[str] = []
        if response.status == 200:
            found = robots_sitemaps(response.body.decode("utf-8", "replace"), response.url)
        for url in found or default_sitemap_urls(task.home):
            yield self.sitemap_request(task, url)

    def robots_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        task: SiteTask = failure.request.meta["task"]  # type: ignore[attr-defined]
        for url in default_sitemap_urls(task.home):
            yield self.sitemap_request(task, url)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        task: SiteTask = response.meta["task"]
        if response.status != 200 or not looks_like_sitemap(response.body):
            return
        doc = parse_sitemap(
            response.body, url=response.url, now=crawl_now(self), max_items=self.max_items
        )
        for child in doc.children[:MAX_CHILD_SITEMAPS]:
            if same_site(child, task.home):
                yield self.sitemap_request(task, child)
        entries = tuple(
            Listed(e.link, e.published_at, e.canonical_url)
            for e in doc.feed.entries
            if same_site(e.link, task.home)
        )
        if entries:
            yield PagesListed(task, entries, 1, "sitemap")

    def sitemap_failed(self, failure: Failure) -> None:
        return None  # a missing sitemap is normal (the usual paths are guesses)

    # -- pages ---------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        task: SiteTask = response.meta["task"]
        depth = int(response.meta.get("depth", 0))
        queued = bool(response.meta.get("queued"))
        if self.fetch_only:
            yield PageFetched(
                task, response.url, status=response.status, size=len(response.body), queued=queued
            )
            return
        listing = bool(response.meta.get("listing"))
        article = extract_article(
            response.body,
            response.url,
            _header(response, "Content-Type"),
            link_hosts=self.link_hosts,
            listing=listing,
            content_language=_header(response, "Content-Language"),
            default_language=task.language,
        )
        follow = depth < task.depth and (not article.text or self.follow_articles)
        if follow:
            links = tuple(Listed(u) for u, _ in article.links if followable(u, task.home))
            if links:
                yield PagesListed(task, links, depth + 1, "section")
        if article.problem == "section":
            yield PageFetched(
                task, response.url, size=len(response.body), section=True, queued=queued
            )
            return
        yield PageFetched(
            task,
            response.url,
            page=self.page(response, article) if article.text else None,
            problem=article.problem,
            status=response.status,
            size=len(response.body),
            queued=queued,
        )

    def page(self, response: Response, article: Any) -> Page:
        url = str(response.meta.get("redirect_urls", [response.url])[0])
        document = Document(
            canonical_url=str(response.meta.get("canonical") or canonicalize_url(url)),
            url=url,
            title=article.title,
            author=article.author,
            site=article.site_name or host_of(response.url),
            language=article.language,
            published_at=article.date,
            text=article.text,
        )
        return Page(document, article.links, fetched_as(response))

    def page_failed(self, failure: Failure) -> Iterator[PageFetched]:
        request = failure.request  # type: ignore[attr-defined]
        error = describe_failure(failure, request.url).label
        response = getattr(failure.value, "response", None)
        if response is not None:
            error = f"HTTP {response.status}"
        queued = bool(request.meta.get("queued"))
        linked = queued and bool(request.meta.get("listing"))
        yield PageFetched(
            request.meta["task"], request.url, error=error, queued=queued, linked=linked
        )
