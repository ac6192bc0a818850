"""The platform-wide cap: every blog on a multi-tenant platform has its own download slot,
and the platform as a whole gets at most ``[crawl] platform_concurrency`` requests at once
and at most ``[crawl] platform_rate`` requests started per second.

Per-blog slots (``crawler.middlewares.site_key``) keep one busy ``alice.wordpress.com`` from
throttling ``bob.wordpress.com`` (#16), but without a ceiling a harvest of 5,000 WordPress.com
blogs would open 5,000 x ``concurrent_per_host`` connections to the same servers. Scrapy's
slots cannot nest, so this middleware holds a request, before it enters its blog's slot,
until one of the platform's permits is free and its turn under the rate has come, and gives
the permit back when the download ends (response or failure). It sits last before the
download (order 950), so no other middleware can drop a request that holds a permit. A
request may wait in its blog's slot (download delay) while holding a permit: the cap is then
stricter than needed, never looser.

With a ``[queue]`` configured (#19) the permits and the pace live in Redis under the queue's
prefix (``platform_limits.RedisPlatformLimits``), shared by every worker of the fleet;
otherwise in this process (``LocalPlatformLimits``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.fetching.platform_limits import (
    LocalPlatformLimits,
    PlatformLimits,
    RedisPlatformLimits,
)
from crawler.matching.sites import platform_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["PERMIT_META", "PlatformCapMiddleware"]

PERMIT_META = "mediamon_platform_permit"

#: A permit in Redis outlives the longest download by this much before it frees itself.
PERMIT_MARGIN_SECONDS = 60.0


class PlatformCapMiddleware:
    """See the module docstring."""

    def __init__(
        self, limit: int, extra: frozenset[str], limits: PlatformLimits | None = None
    ) -> None:
        self.limit = max(1, limit)
        self.extra = extra
        self.limits: PlatformLimits = limits or LocalPlatformLimits(self.limit, 0.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlatformCapMiddleware:
        settings = crawler.settings
        extra = frozenset(str(p).lower() for p in settings.getlist("MEDIAMON_BLOG_PLATFORMS"))
        limit = max(1, settings.getint("MEDIAMON_PLATFORM_CONCURRENCY", 8))
        rate = settings.getfloat("MEDIAMON_PLATFORM_RATE", 0.0)
        url = settings.get("MEDIAMON_QUEUE_URL") or ""
        limits: PlatformLimits
        if url:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
            ttl = settings.getfloat("DOWNLOAD_TIMEOUT", 30) + PERMIT_MARGIN_SECONDS
            prefix = settings.get("MEDIAMON_QUEUE_PREFIX") or "mediamon"
            limits = RedisPlatformLimits(client, prefix, limit, rate, permit_ttl=ttl)
        else:
            limits = LocalPlatformLimits(limit, rate)
        return cls(limit, extra, limits)

    async def process_request(self, request: Request) -> None:
        if PERMIT_META in request.meta:
            return
        platform, _blog = platform_of(_host(request.url), self.extra)
        if not platform:
            return
        token = await self.limits.acquire(platform)
        request.meta[PERMIT_META] = (platform, token)
        await self.limits.pace(platform)

    def _release(self, request: Request) -> None:
        held = request.meta.pop(PERMIT_META, None)
        if held:
            platform, token = held
            self.limits.release(platform, token)

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
