"""Downloader middlewares shared by every spider: per-host politeness and per-host metrics.

``HostBlockMiddleware`` honours Retry-After for a whole host: hosts blocked by an earlier run
(``MEDIAMON_BLOCKED_HOSTS``, read from the ``hosts`` table by the runner) or by a 429/503 in this
run get no further requests until the block ends; Scrapy has no such middleware
(scrapy/scrapy#3849). It also puts all hosts of one site in one download slot (``site_key``:
the registrable domain, private public suffixes and blog platforms split per blog), so
``CONCURRENT_REQUESTS_PER_DOMAIN`` and the delay apply per site, not per subdomain, and each
blog on a shared platform has its own.

``HostMetricsMiddleware`` counts, per host, requests, status classes, conditional requests and
bytes on the wire (etiquette rule 25); the counts land in the crawl stats. A feed answered
from another organisation's fetch (``crawler.fetching.shared_fetch``) counts as ``shared``.

``NoRefererRedirectMiddleware`` replaces Scrapy's RedirectMiddleware: redirects without a
Referer and without Scrapy's warning about it.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest

from crawler.feeds.policy import parse_retry_after
from crawler.fetching.shared_fetch import SERVED_META
from crawler.matching.sites import site_key

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

BLOCKED_SETTING = "MEDIAMON_BLOCKED_HOSTS"


class HostBlocked(IgnoreRequest):
    """A request not sent because its host asked us to wait (Retry-After)."""

    def __init__(self, host: str, until: datetime) -> None:
        super().__init__(f"host blocked until {until.isoformat()} (Retry-After)")
        self.host = host
        self.until = until


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HostBlockMiddleware:
    """See the module docstring."""

    def __init__(
        self, blocked: dict[str, datetime], platforms: frozenset[str] = frozenset()
    ) -> None:
        self.blocked = blocked
        self.platforms = platforms

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostBlockMiddleware:
        raw = crawler.settings.getdict(BLOCKED_SETTING)
        extra = crawler.settings.getlist("MEDIAMON_BLOG_PLATFORMS")
        return cls(
            {h.lower(): datetime.fromisoformat(str(t)) for h, t in raw.items()},
            frozenset(str(p).lower() for p in extra),
        )

    def process_request(self, request: Request) -> None:
        host = host_of(request.url)
        until = self.blocked.get(host)
        if until is not None:
            if until > datetime.now(UTC):
                raise HostBlocked(host, until)
            del self.blocked[host]
        if host and "download_slot" not in request.meta:
            request.meta["download_slot"] = site_key(host, self.platforms)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in (429, 503):
            header = response.headers.get(b"Retry-After")
            value = header.decode("latin-1") if header else None
            until = parse_retry_after(value, datetime.now(UTC))
            if until is not None:
                self.blocked[host_of(response.url)] = until
        return response


class HostMetricsMiddleware:
    """See the module docstring."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.hosts: defaultdict[str, Counter[str]] = defaultdict(Counter)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMetricsMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        counts = self.hosts[host_of(request.url)]
        counts["requests"] += 1
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            counts["conditional"] += 1

    def process_response(self, request: Request, response: Response) -> Response:
        counts = self.hosts[host_of(request.url)]
        if SERVED_META in request.meta:  # another organisation's fetch: nothing on the wire
            counts["shared"] += 1
            return response
        status = response.status
        label = "429" if status == 429 else "304" if status == 304 else f"{status // 100}xx"
        counts[label] += 1
        counts["bytes"] += len(response.body) + sum(
            len(k) + sum(len(v) for v in vs) for k, vs in response.headers.items()
        )
        return response

    def spider_closed(self, spider: Spider) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("mediamon/hosts", {h: dict(c) for h, c in self.hosts.items()})


class GzipLabelMiddleware:
    """A body that is gzip (it starts with the gzip magic bytes) under a wrong, unknown or
    missing ``Content-Encoding`` is relabelled ``gzip``, so Scrapy's compression middleware
    (which runs next on the way in) inflates it within ``DOWNLOAD_MAXSIZE`` instead of failing
    on ``deflate`` or passing compressed bytes on (issue #15: gzip with a wrong encoding)."""

    GZIP = (b"gzip", b"x-gzip")

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        label = (response.headers.get("Content-Encoding") or b"").strip().lower()
        if label in self.GZIP or not response.body.startswith(b"\x1f\x8b\x08"):
            return response
        headers = response.headers.copy()
        headers["Content-Encoding"] = b"gzip"
        return response.replace(headers=headers)


class NoRefererRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects without its Referer bookkeeping.

    mediamon sends no Referer at all (``REFERER_ENABLED = False``: the outlets we read need
    not learn who reads them, and a feed or page never depends on it). Scrapy's stock
    RedirectMiddleware then warns at every crawl's start that it found no RefererMiddleware
    — three warnings on every ``mediamon demo``. This one drops the header on redirects, as
    the stock one does in that case, and says so only at DEBUG."""

    def _engine_started(self) -> None:
        logger.debug("redirects carry no Referer (REFERER_ENABLED is off)")

    def handle_referer(self, request: Request, response: Response) -> None:
        request.headers.pop("Referer", None)
