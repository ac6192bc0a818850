"""The platform-wide cap: every blog on a multi-tenant platform has its own download slot,
and the platform as a whole gets at most ``[crawl] platform_concurrency`` requests at once
and at most ``[crawl] platform_rate`` requests started per second.

Per-blog slots (``crawler.matching.sites.site_key``) keep one busy ``alice.wordpress.com`` from
throttling ``bob.wordpress.com`` (#16), but without a ceiling a harvest of 5,000 WordPress.com
blogs would open 5,000 x ``concurrent_per_host`` connections to the same servers. Scrapy's
slots cannot nest, so this middleware holds a request, before it enters its blog's slot,
until one of the platform's permits is free and its turn under the rate has come, and gives
the permit back when the download ends (response or failure). It sits last before the
download (order 950), so no other middleware can drop a request that holds a permit. A
request may wait in its blog's slot (download delay) while holding a permit: the cap is then
stricter than needed, never looser.

The same middleware holds every request to ``concurrent_per_host`` per site (its download
slot: the registrable domain, or one blog of a platform) with a permit of its own, taken
before the platform's. Scrapy's slot is not enough on its own: with no download delay,
Scrapy 2.19's slot queue starts every queued request of a slot at once (``_process_queue``
schedules each transfer as a task before it is counted as transferring), and a slot is one
process's, while a fleet of workers runs many crawls that fetch the same sites (a harvest
reads the blogs that link to a post while another worker polls their feeds). Site permits
are taken first and platform permits second, by every request, so no two requests can wait
on each other.

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
from crawler.matching.sites import platform_of, site_key

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["PERMIT_META", "SITE_PERMIT_META", "PlatformCapMiddleware"]

PERMIT_META = "mediamon_platform_permit"
SITE_PERMIT_META = "mediamon_site_permit"

#: A permit in Redis outlives the longest download by this much before it frees itself.
PERMIT_MARGIN_SECONDS = 60.0


class PlatformCapMiddleware:
    """See the module docstring."""

    def __init__(
        self,
        limit: int,
        extra: frozenset[str],
        limits: PlatformLimits | None = None,
        sites: PlatformLimits | None = None,
    ) -> None:
        self.limit = max(1, limit)
        self.extra = extra
        self.limits: PlatformLimits = limits or LocalPlatformLimits(self.limit, 0.0)
        #: Per-site permits (``None``: Scrapy's slots alone, as in a bare middleware test).
        self.sites = sites

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlatformCapMiddleware:
        settings = crawler.settings
        extra = frozenset(str(p).lower() for p in settings.getlist("MEDIAMON_BLOG_PLATFORMS"))
        limit = max(1, settings.getint("MEDIAMON_PLATFORM_CONCURRENCY", 8))
        rate = settings.getfloat("MEDIAMON_PLATFORM_RATE", 0.0)
        per_site = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        url = settings.get("MEDIAMON_QUEUE_URL") or ""
        limits: PlatformLimits
        sites: PlatformLimits
        if url:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
            ttl = settings.getfloat("DOWNLOAD_TIMEOUT", 30) + PERMIT_MARGIN_SECONDS
            prefix = settings.get("MEDIAMON_QUEUE_PREFIX") or "mediamon"
            limits = RedisPlatformLimits(client, prefix, limit, rate, permit_ttl=ttl)
            sites = RedisPlatformLimits(client, prefix, per_site, 0.0, permit_ttl=ttl, scope="site")
        else:
            limits = LocalPlatformLimits(limit, rate)
            sites = LocalPlatformLimits(per_site, 0.0)
        return cls(limit, extra, limits, sites)

    async def process_request(self, request: Request) -> None:
        host = _host(request.url)
        if self.sites is not None and SITE_PERMIT_META not in request.meta and host:
            site = str(request.meta.get("download_slot") or site_key(host, self.extra))
            token = await self.sites.acquire(site)
            request.meta[SITE_PERMIT_META] = (site, token)
        if PERMIT_META in request.meta:
            return
        platform, _blog = platform_of(host, self.extra)
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
        site_held = request.meta.pop(SITE_PERMIT_META, None)
        if site_held and self.sites is not None:
            site, site_token = site_held
            self.sites.release(site, site_token)

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
