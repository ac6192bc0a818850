"""The linkback harvest spider: every route of each of our posts, merged, sources described.

Per post (a ``PostTask`` built by the runner) it fetches the post page and, concurrently, the
other routes its platform offers: the post's comment feed, the site-wide comment feed
(once per site per run, shared by the site's posts), the WordPress.com replies API with
``type=pings`` (paged), self-hosted core REST ``type=pingback`` (asked once per site: its
anonymous refusal closes the route for the whole site) and XML-RPC ``getPingbacks`` at the
endpoint the page advertises. The records are merged (``crawler.harvest.merge``), and each
new ping, reblog or webmention's source page is fetched once and verified against the post.
One ``PostHarvested`` item per post goes to the pipeline; the spider never touches storage.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Self

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

from crawler.fetching.errors import describe_failure
from crawler.harvest import model, routes
from crawler.harvest.merge import merge_routes
from crawler.harvest.model import (
    Blocklist,
    Fetched,
    Linkback,
    PostHarvested,
    PostTask,
    RouteResult,
    RouteState,
    SourceCheck,
)
from crawler.linkbacks.discovery import Endpoints
from crawler.linkbacks.xmlrpc import build_get_pingbacks_request
from crawler.spiders.linkback_fetch import HTML_ACCEPT, fetch, fetched_from, request_meta
from crawler.spiders.standalone import check_standalone, standalone_arguments
from crawler.spiders.timing import crawl_now

FEED_ACCEPT = "application/rss+xml, application/atom+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"
JSON_ACCEPT = "application/json"
MAX_SOURCES_PER_POST = 50

_Shared = tuple[RouteResult, int]  # a site-level answer and the post that asked


def _not_asked(route: str, why: str) -> RouteResult:
    """A route this post does not offer (nothing was requested)."""
    return RouteResult(route, RouteState.UNAVAILABLE, detail=why, asked=False)


def site_comments_url(api_base: str, site_url: str) -> str:
    """The WordPress.com API's newest 100 comments and pings of a whole site."""
    host = routes.wpcom_site(PostTask(post_id=0, url=site_url, canonical_url="", site_url=site_url))
    return f"{api_base.rstrip('/')}/rest/v1.1/sites/{host}/comments/?number=100&type=any&order=DESC"


def _newer(published: Any, last: Any) -> bool:
    """A dated item newer than the last harvest (an undated one proves nothing)."""
    return last is None or (published is not None and published > last)


#: The setting that carries a harvest's context (``crawler.pipelines.linkbacks.CONTEXT_SETTING``).
RUN_SETTING = "MEDIAMON_LINKBACKS"


class LinkbackSpider(scrapy.Spider):
    """See the module docstring."""

    name = "linkbacks"

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        check_standalone(cls.name, settings, RUN_SETTING)  # `scrapy crawl linkbacks`: no run yet

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        # Started by Scrapy's command line: the runs layer prepares the harvest (config,
        # posts, pipeline and row) and gives back the spider's arguments.
        kwargs = standalone_arguments(cls.name, crawler, RUN_SETTING, kwargs)
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
        return spider

    def __init__(
        self,
        tasks: Iterable[PostTask] = (),
        org_authors: Iterable[str] = (),
        wpcom_api: str = "",
        max_sources: int = MAX_SOURCES_PER_POST,
        blocklist: Blocklist | None = None,
        watch: Iterable[PostTask] = (),
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.blocklist = blocklist or Blocklist()
        self.tasks = list(tasks)
        self.watch = [t for t in watch if t.platform in ("wordpress", "wordpress.com")]
        self._pulled: set[int] = {t.post_id for t in self.tasks}
        self.org_authors = tuple(org_authors)
        self.wpcom_api = wpcom_api
        self.max_sources = max_sources
        self._shared: dict[tuple[str, str], asyncio.Future[Any]] = {}

    async def start(self) -> AsyncIterator[Any]:
        for task in self.tasks:
            yield self._post_request(task)
        for site in sorted({t.site_url for t in self.watch if t.site_url}):
            yield scrapy.Request(
                routes.site_feed_url(site),
                callback=self.parse_site_watch,
                errback=self.watch_failed,
                headers={"Accept": FEED_ACCEPT},
                dont_filter=True,
                meta=request_meta(site=site),
            )
            if self.wpcom_api:
                yield scrapy.Request(
                    site_comments_url(self.wpcom_api, site),
                    callback=self.parse_wpcom_watch,
                    errback=self.watch_failed,
                    headers={"Accept": JSON_ACCEPT},
                    dont_filter=True,
                    meta=request_meta(site=site),
                )

    def _post_request(self, task: PostTask) -> scrapy.Request:
        return scrapy.Request(
            task.url,
            callback=self.parse_post,
            errback=self.post_failed,
            headers={"Accept": HTML_ACCEPT},
            dont_filter=True,
            meta=request_meta(task=task),
        )

    async def parse_site_watch(self, response: Response) -> AsyncIterator[scrapy.Request]:
        """Between sweeps: the site-wide comment feed's newest comments and pings pull in the
        posts (not due this run) that have one newer than their last harvest (#16)."""
        site = response.meta["site"]
        fetched = fetched_from(response, routes.site_feed_url(site))
        whole = routes.read_feed(fetched, "", self.org_authors, route=model.SITE_FEED)
        if whole.ok:
            for request in self._pull(site, whole.records):
                yield request

    async def parse_wpcom_watch(self, response: Response) -> AsyncIterator[scrapy.Request]:
        """The same through the WordPress.com API's site-wide comment listing (newest 100,
        pings included, each with its post's id)."""
        site = response.meta["site"]
        result, _next, _closed = routes.read_replies(fetched_from(response, response.url), 1)
        if result.ok:
            for request in self._pull(site, result.records):
                yield request

    def _pull(self, site: str, records: Iterable[Any]) -> Iterable[scrapy.Request]:
        """Requests for the watched posts of ``site`` with a record newer than their harvest."""
        records = list(records)
        for task in self.watch:
            if task.site_url != site or task.post_id in self._pulled:
                continue
            mine = routes.records_for_post(records, task)
            if any(_newer(r.published, task.last_harvested_at) for r in mine):
                self._pulled.add(task.post_id)
                yield self._post_request(task)

    def watch_failed(self, failure: Failure) -> None:
        """The watch is a cheap extra: a failed site feed costs nothing but the watch."""
        self.logger.debug("site feed not read: %s", failure.getErrorMessage())

    async def parse_post(self, response: Response) -> AsyncIterator[PostHarvested]:
        task: PostTask = response.meta["task"]
        yield await self.harvest(task, fetched_from(response, task.url))

    async def post_failed(self, failure: Failure) -> AsyncIterator[PostHarvested]:
        request = failure.request  # type: ignore[attr-defined]
        task: PostTask = request.meta["task"]
        label = describe_failure(failure, request.url).label
        yield await self.harvest(task, Fetched(url=task.url, error=label))

    # -- one post ---------------------------------------------------------------------------

    async def harvest(self, task: PostTask, page: Fetched) -> PostHarvested:
        planned = routes.planned_routes(task.platform)
        page_result, endpoints = routes.read_page(page, self.org_authors)
        others: list[Awaitable[RouteResult]] = []
        if model.FEED in planned:
            others.append(self._feed(task))
        if model.SITE_FEED in planned and task.site_url:
            others.append(self._site_feed(task))
        if model.WPCOM_API in planned:
            others.append(self._wpcom(task))
        if model.WP_REST in planned:
            others.append(self._core_rest(task))
        if model.XMLRPC in planned:
            others.append(self._xmlrpc(task, page_result, endpoints))
        results = [page_result, *await asyncio.gather(*others)]
        merged = merge_routes(task.canonical_url, results)
        kept = [lb for lb in merged.linkbacks if lb.is_comment or not self.blocklist.blocks(lb.url)]
        todo = [lb for lb in kept if not lb.is_comment and lb.key not in task.checked]
        checks = await self._check_sources(task, todo[: self.max_sources])
        return PostHarvested(
            task=task,
            fetched_at=crawl_now(self),
            routes=tuple(results),
            linkbacks=tuple(kept),
            checks=checks,
            unresolved=merged.unresolved,
            skipped_checks=max(0, len(todo) - self.max_sources),
            blocked=len(merged.linkbacks) - len(kept),
        )

    async def _check_sources(self, task: PostTask, todo: list[Linkback]) -> dict[str, SourceCheck]:
        fetched = await asyncio.gather(*(fetch(self.crawler, lb.url) for lb in todo))
        return {
            lb.key: routes.check_source(f, task.canonical_url)
            for lb, f in zip(todo, fetched, strict=True)
        }

    def _once(self, key: tuple[str, str], make: Callable[[], Awaitable[Any]]) -> Awaitable[Any]:
        """The one shared run of ``make`` per key and spider run (site-level answers)."""
        future = self._shared.get(key)
        if future is None:
            future = asyncio.ensure_future(make())
            self._shared[key] = future
        return future

    # -- routes -----------------------------------------------------------------------------

    async def _feed(self, task: PostTask) -> RouteResult:
        url = routes.comment_feed_url(task)
        if not url:
            return _not_asked(model.FEED, "no comment feed")
        fetched = await fetch(self.crawler, url, headers={"Accept": FEED_ACCEPT})
        return routes.read_feed(fetched, task.url, self.org_authors)

    async def _site_feed(self, task: PostTask) -> RouteResult:
        url = routes.site_feed_url(task.site_url)

        async def read() -> RouteResult:
            fetched = await fetch(self.crawler, url, headers={"Accept": FEED_ACCEPT})
            return routes.read_feed(fetched, "", self.org_authors, route=model.SITE_FEED)

        whole: RouteResult = await self._once((model.SITE_FEED, url), read)
        if not whole.ok:
            return whole
        mine = tuple(routes.records_for_post(whole.records, task))
        return RouteResult(
            model.SITE_FEED, RouteState.OK, mine, detail=whole.detail, truncated=whole.truncated
        )

    async def _site_level(
        self, route: str, task: PostTask, ask: Callable[[], Awaitable[_Shared]]
    ) -> RouteResult:
        """Ask once per site first; a site-wide refusal answers for every post of the site."""
        site = routes.wpcom_site(task)
        first: _Shared = await self._once((route, site), ask)
        result, asked_for = first
        site_wide = result.state is RouteState.UNAVAILABLE and asked_for < 0
        if asked_for == task.post_id or site_wide:
            return result
        return (await ask())[0]

    async def _wpcom(self, task: PostTask) -> RouteResult:
        if task.wp_post_id is None or not self.wpcom_api:
            detail = "WordPress post id unknown" if self.wpcom_api else "no API configured"
            return _not_asked(model.WPCOM_API, detail)
        post_id = task.wp_post_id

        async def ask() -> _Shared:
            site = routes.wpcom_site(task)
            records: list[Any] = []
            page: int | None = 1
            while page is not None:
                url = routes.replies_url(self.wpcom_api, site, post_id, page)
                fetched = await fetch(self.crawler, url, headers={"Accept": JSON_ACCEPT})
                result, page, site_wide = routes.read_replies(fetched, page)
                if not result.ok:
                    return result, -1 if site_wide else task.post_id
                records += result.records
            return RouteResult(model.WPCOM_API, RouteState.OK, tuple(records)), task.post_id

        return await self._site_level(model.WPCOM_API, task, ask)

    async def _core_rest(self, task: PostTask) -> RouteResult:
        if task.wp_post_id is None or not task.site_url:
            return _not_asked(model.WP_REST, "WordPress post id unknown")
        url = routes.core_rest_url(task.site_url, task.wp_post_id)

        async def ask() -> _Shared:
            fetched = await fetch(self.crawler, url, headers={"Accept": JSON_ACCEPT})
            result = routes.read_core_rest(fetched, task.url, self.org_authors)
            site_wide = result.state is RouteState.UNAVAILABLE and result.detail.startswith(
                ("HTTP 401", "HTTP 403", "HTTP 404 rest_no_route")
            )
            return result, -1 if site_wide else task.post_id

        return await self._site_level(model.WP_REST, task, ask)

    async def _xmlrpc(
        self, task: PostTask, page: RouteResult, endpoints: Endpoints | None
    ) -> RouteResult:
        if endpoints is None:
            detail = f"post page not read ({page.detail})" if page.detail else "post page not read"
            return RouteResult(model.XMLRPC, RouteState.FAILED, detail=detail, asked=False)
        if not endpoints.pingback:
            return _not_asked(model.XMLRPC, "no pingback endpoint advertised")
        fetched = await fetch(
            self.crawler,
            endpoints.pingback,
            method="POST",
            body=build_get_pingbacks_request(task.url),
            headers={"Content-Type": "text/xml", "Accept": "text/xml"},
        )
        return routes.read_xmlrpc(fetched, task.url)
