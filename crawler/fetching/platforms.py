"""The platform-wide cap: every blog on a multi-tenant platform has its own download slot,
and the platform as a whole gets at most ``[crawl] platform_concurrency`` requests at once.

Per-blog slots (``crawler.middlewares.site_key``) keep one busy ``alice.wordpress.com`` from
throttling ``bob.wordpress.com`` (#16), but without a ceiling a harvest of 5,000 WordPress.com
blogs would open 5,000 x ``concurrent_per_host`` connections to the same servers. Scrapy's
slots cannot nest, so this middleware holds a request, before it enters its blog's slot,
until one of the platform's permits is free, and gives the permit back when the download
ends (response or failure). It sits last before the download (order 950), so no other
middleware can drop a request that holds a permit. A request may wait in its blog's slot
(download delay) while holding a permit: the cap is then stricter than needed, never looser.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from crawler.matching.sites import platform_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["PERMIT_META", "PlatformCapMiddleware"]

PERMIT_META = "mediamon_platform_permit"


class PlatformCapMiddleware:
    """See the module docstring."""

    def __init__(self, limit: int, extra: frozenset[str]) -> None:
        self.limit = max(1, limit)
        self.extra = extra
        self._permits: dict[str, asyncio.Semaphore] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlatformCapMiddleware:
        settings = crawler.settings
        extra = frozenset(str(p).lower() for p in settings.getlist("MEDIAMON_BLOG_PLATFORMS"))
        return cls(settings.getint("MEDIAMON_PLATFORM_CONCURRENCY", 8), extra)

    def _semaphore(self, platform: str) -> asyncio.Semaphore:
        found = self._permits.get(platform)
        if found is None:
            found = self._permits[platform] = asyncio.Semaphore(self.limit)
        return found

    async def process_request(self, request: Request) -> None:
        if PERMIT_META in request.meta:
            return
        platform, _blog = platform_of(_host(request.url), self.extra)
        if not platform:
            return
        await self._semaphore(platform).acquire()
        request.meta[PERMIT_META] = platform

    def _release(self, request: Request) -> None:
        platform = request.meta.pop(PERMIT_META, None)
        if platform:
            self._semaphore(platform).release()

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Any:
        self._release(request)
        return None


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
