"""The post inventory spider: every post of each of our sites, from every route it offers.

Per site (a ``SiteTask``) it reads, concurrently, the routes the platform offers: the core
WordPress REST API (``/wp-json/wp/v2/posts``, paged), the WordPress.com public API (paged),
the posts feed walked through ``?paged=N`` (``crawler.posts.feeds.FeedWalk``: loops and
endless feeds stop) and the sitemaps (robots.txt ``Sitemap:`` lines, else the usual places;
streamed). Archive pages, the home page and its "Older posts" chain, are read only when
those found nothing. The posts are merged (``crawler.posts.merge``); each post not yet
known is fetched once for its ``rel=canonical`` and ``rel=shortlink``, and a shortlink on
another host (``wp.me``) is followed to check that it leads back to the post. A
``RouteRead`` item marks each finished route (for the progress bar) and one
``SiteInventory`` item per site goes to the pipeline; the spider never touches storage.
Every fetch goes through Scrapy's downloader (``crawler.spiders.linkback_fetch.fetch``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterable
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.fetching.errors import describe_failure
from crawler.harvest.model import Fetched
from crawler.matching.urls import canonicalize_url
from crawler.posts import apis, feeds, pages, sitemaps
from crawler.posts.merge import merge_found
from crawler.posts.model import (
    ARCHIVE,
    FEED,
    ROUTES,
    SITEMAP,
    WP_REST,
    WPCOM_API,
    FoundPost,
    RoutePage,
    RouteRead,
    RouteStatus,
    RouteTally,
    SiteInventory,
    SiteTask,
)
from crawler.spiders.linkback_fetch import HTML_ACCEPT, fetch, fetched_from, request_meta
from crawler.spiders.timing import crawl_now

__all__ = ["MAX_API_PAGES", "MAX_HEAD_CHECKS", "PostInventorySpider"]

JSON_ACCEPT = "application/json"
FEED_ACCEPT = "application/rss+xml, application/atom+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"
XML_ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.5"
#: The most pages read from each JSON API per site (100 posts a page).
MAX_API_PAGES = 500
#: The most new posts whose page is fetched for canonical and shortlink per site and sync.
MAX_HEAD_CHECKS = 5000


def _headers(fetched: Fetched) -> dict[str, str]:
    return {name.lower(): value for name, value in fetched.headers}


def _failed(fetched: Fetched) -> RoutePage | None:
    if fetched.error:
        return RoutePage(status=RouteStatus.FAILED, detail=fetched.error)
    return None


def _key(url: str) -> str:
    try:
        return canonicalize_url(url)
    except Exception:  # a hostile URL is nobody's post
        return ""


class PostInventorySpider(scrapy.Spider):
    """See the module docstring."""

    name = "posts"

    def __init__(
        self,
        sites: Iterable[SiteTask] = (),
        wpcom_api: str = "",
        since: datetime | None = None,
        known: Iterable[str] = (),
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.sites = list(sites)
        self.wpcom_api = wpcom_api
        self.since = since
        self.known = frozenset(known)

    async def start(self) -> AsyncIterator[Any]:
        for task in self.sites:
            yield scrapy.Request(
                task.site_url,
                callback=self.parse_home,
                errback=self.home_failed,
                headers={"Accept": HTML_ACCEPT},
                dont_filter=True,
                meta=request_meta(task=task),
            )

    async def parse_home(self, response: Response) -> AsyncIterator[Any]:
        task: SiteTask = response.meta["task"]
        async for item in self.sync_site(task, fetched_from(response, task.site_url)):
            yield item

    async def home_failed(self, failure: Failure) -> AsyncIterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        task: SiteTask = request.meta["task"]
        label = describe_failure(failure, request.url).label
        async for item in self.sync_site(task, Fetched(url=task.site_url, error=label)):
            yield item

    # -- one site ---------------------------------------------------------------------------

    async def sync_site(self, task: SiteTask, home: Fetched) -> AsyncIterator[Any]:
        found: list[FoundPost] = []
        tallies: dict[str, RouteTally] = {}
        work: list[Awaitable[tuple[RouteTally, list[FoundPost]]]] = [
            self._feed(task),
            self._sitemaps(task),
        ]
        if task.platform == "wordpress":
            work.append(self._rest(task))
        else:
            tallies[WP_REST] = RouteTally(WP_REST, detail="not a self-hosted WordPress site")
        if task.platform in ("wordpress", "wordpress.com") and self.wpcom_api:
            work.append(self._wpcom(task))
        else:
            tallies[WPCOM_API] = RouteTally(WPCOM_API, detail="not on WordPress.com")
        for done in asyncio.as_completed(work):
            tally, posts = await done
            tallies[tally.route] = tally
            found += posts
            yield RouteRead(task.site_url, tally)
        if not found:
            archive, posts = await self._archive(task, home)
            tallies[ARCHIVE] = archive
            found += posts
            yield RouteRead(task.site_url, archive)
        else:
            tallies[ARCHIVE] = RouteTally(ARCHIVE, detail="other routes listed the posts")
        merged = merge_found(found, task.site_url, since=self.since)
        fresh = [p for p in merged if _key(p.url) not in self.known][:MAX_HEAD_CHECKS]
        heads = dict(
            zip(
                [_key(p.url) for p in fresh],
                await asyncio.gather(*(self._head(task, p) for p in fresh)),
                strict=True,
            )
        )
        notes = [note for _, note in heads.values() if note]
        checked = tuple(heads.get(_key(p.url), (p, ""))[0] for p in merged)
        ordered = tuple(tallies[r] for r in ROUTES if r in tallies)
        yield SiteInventory(task, checked, ordered, tuple(notes))

    # -- routes -----------------------------------------------------------------------------

    async def _paged(
        self, route: str, first_url: str, read: Any, accept: str
    ) -> tuple[RouteTally, list[FoundPost]]:
        """Follow ``next_url`` from ``first_url`` (``read(fetched, page, url)`` per page)."""
        tally = RouteTally(route, RouteStatus.OK)
        posts: list[FoundPost] = []
        url, page, seen = first_url, 1, set()
        while url and page <= MAX_API_PAGES:
            if url in seen:
                tally.detail = f"page {page} repeats an earlier page"
                break
            seen.add(url)
            fetched = await fetch(self.crawler, url, headers={"Accept": accept})
            result: RoutePage = _failed(fetched) or read(fetched, page, url)
            if result.status is not RouteStatus.OK:
                if page == 1:
                    tally.status, tally.detail = result.status, result.detail
                else:
                    tally.detail = f"stopped at page {page}: {result.detail}"
                break
            tally.pages += 1
            posts += result.posts
            url, page = result.next_url, page + 1
        else:
            if url:
                tally.detail = f"stopped at the cap of {MAX_API_PAGES} pages"
        tally.posts = len(posts)
        return tally, posts

    async def _rest(self, task: SiteTask) -> tuple[RouteTally, list[FoundPost]]:
        def read(fetched: Fetched, page: int, url: str) -> RoutePage:
            return apis.parse_rest_posts(
                fetched.status or 0,
                _headers(fetched),
                fetched.body,
                url=url,
                page=page,
                site_url=task.site_url,
            )

        first = apis.rest_posts_url(task.site_url, 1, since=self.since)
        return await self._paged(WP_REST, first, read, JSON_ACCEPT)

    async def _wpcom(self, task: SiteTask) -> tuple[RouteTally, list[FoundPost]]:
        def read(fetched: Fetched, page: int, url: str) -> RoutePage:
            return apis.parse_wpcom_posts(fetched.status or 0, fetched.body, url=url, page=page)

        site = pages.site_host(task.site_url)
        first = apis.wpcom_posts_url(self.wpcom_api, site, 1, since=self.since)
        return await self._paged(WPCOM_API, first, read, JSON_ACCEPT)

    async def _feed(self, task: SiteTask) -> tuple[RouteTally, list[FoundPost]]:
        feed_url = task.feed_url or task.site_url.rstrip("/") + "/feed/"
        walk = feeds.FeedWalk(feed_url)
        tally = RouteTally(FEED, RouteStatus.OK)
        posts: list[FoundPost] = []
        while url := walk.next_url():
            fetched = await fetch(self.crawler, url, headers={"Accept": FEED_ACCEPT})
            result = _failed(fetched) or feeds.parse_feed_page(
                fetched.status or 0,
                _headers(fetched),
                fetched.body,
                url=fetched.final_url or url,
                page=walk.page + 1,
                now=crawl_now(self),
            )
            if result.status is not RouteStatus.OK and walk.page == 0:
                tally.status, tally.detail = result.status, result.detail
                break
            fresh = walk.take(result)
            if result.posts:
                tally.pages += 1
            posts += fresh
            if (
                self.since is not None
                and fresh
                and all(p.published_at is not None and p.published_at < self.since for p in fresh)
            ):
                break  # newest first: every later page is older still
        if walk.stop_reason and walk.stop_reason != "end":
            tally.detail = walk.stop_reason
        tally.posts = len(posts)
        return tally, posts

    async def _sitemaps(self, task: SiteTask) -> tuple[RouteTally, list[FoundPost]]:
        tally = RouteTally(SITEMAP)
        root = task.site_url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
        robots = await fetch(self.crawler, root + "/robots.txt", headers={"Accept": "text/plain"})
        named = sitemaps.robots_sitemaps(robots.body, root + "/") if robots.ok else []
        todo = named or sitemaps.sitemap_candidates(task.site_url)
        posts: list[FoundPost] = []
        done: set[str] = set()
        while todo and len(done) < sitemaps.MAX_SITEMAPS:
            url = todo.pop(0)
            if url in done:
                continue
            done.add(url)
            fetched = await fetch(self.crawler, url, headers={"Accept": XML_ACCEPT})
            if not fetched.ok:
                continue
            tally.pages += 1
            children: list[str] = []
            for item in sitemaps.iter_sitemap(fetched.body, base=url):
                if item.kind == "sitemap":
                    children.append(item.loc)
                elif self.since is None or item.lastmod is None or item.lastmod >= self.since:
                    posts.append(FoundPost(url=item.loc, published_at=None, routes=(SITEMAP,)))
            todo += [c for c in sitemaps.wanted_children(children) if c not in done]
            if not named and (posts or children):
                todo = [t for t in todo if t not in sitemaps.sitemap_candidates(task.site_url)]
        if tally.pages:
            tally.status = RouteStatus.OK
        else:
            tally.status, tally.detail = RouteStatus.UNAVAILABLE, "no sitemap found"
        tally.posts = len(posts)
        return tally, posts

    async def _archive(self, task: SiteTask, home: Fetched) -> tuple[RouteTally, list[FoundPost]]:
        tally = RouteTally(ARCHIVE, RouteStatus.OK)
        if not home.ok:
            tally.status = RouteStatus.FAILED if home.error else RouteStatus.UNAVAILABLE
            tally.detail = home.problem
            return tally, []
        posts: list[FoundPost] = []
        fetched, seen = home, set[str]()
        while len(seen) < pages.MAX_ARCHIVE_PAGES:
            url = fetched.final_url or fetched.url
            seen.add(url)
            result = pages.parse_archive(fetched.body, url=url, site_url=task.site_url)
            tally.pages += 1
            posts += result.posts
            if not result.next_url or result.next_url in seen:
                break
            fetched = await fetch(self.crawler, result.next_url)
            if not fetched.ok:
                tally.detail = f"stopped at {result.next_url}: {fetched.problem}"
                break
        tally.posts = len(posts)
        return tally, posts

    async def _head(self, task: SiteTask, post: FoundPost) -> tuple[FoundPost, str]:
        """The post's canonical and shortlink; a shortlink leading off-site is dropped."""
        fetched = await fetch(self.crawler, post.url)
        if not fetched.ok:
            return post, ""
        head = pages.parse_post_head(fetched.body, url=post.url, site_url=task.site_url)
        note = (
            f"{post.url}: canonical URL on another site ({head.canonical_link})"
            if head.canonical_offsite
            else ""
        )
        shortlink = post.shortlink or head.shortlink
        if shortlink and not pages.same_site(shortlink, task.site_url):
            landed = await fetch(self.crawler, shortlink)
            target = landed.final_url or landed.url
            if landed.error or _key(target) != _key(post.url):
                why = landed.error or f"leads to {target}"
                note = (note + "; " if note else "") + f"{post.url}: shortlink {shortlink} {why}"
                shortlink = ""
        checked = FoundPost(
            url=post.url,
            title=post.title,
            published_at=post.published_at,
            wp_post_id=post.wp_post_id,
            shortlink=shortlink,
            canonical_link=head.canonical_link,
            canonical_offsite=head.canonical_offsite,
            routes=post.routes,
        )
        return checked, note
