"""robots.txt fetched once per host across the fleet (#19).

Scrapy's ``RobotsTxtMiddleware`` keeps each host's robots.txt for the life of one crawl
process, so N workers crawling one host fetch it N times, and again in every run. With a
``[queue]`` configured, ``SharedRobotsTxtMiddleware`` keeps it in Redis under the queue's
prefix with the time it was fetched: a crawl that finds a fresh copy uses it without a
request, and when there is none, one crawl takes a short fetch claim (``SET NX``), fetches
and stores it while the others wait for that copy. A copy is fresh for
``[crawl] robots_cache_seconds`` (RFC 9309 asks for at most 24 hours) on the crawl's own
clock (the run's ``CrawlClock``, which a simulated run drives), and Redis drops it a while after.
Without a queue each crawl process keeps its own copies, as Scrapy does.

What is cached is the answer's status and body, exactly what Scrapy's parser would have
read (it parses the body of any answer); a failed download (timeout, refused) is not cached,
so the next crawl tries again, and robots.txt is then ignored for this crawl, as Scrapy does.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.clock import CrawlClock

if TYPE_CHECKING:  # redis is imported only in queue mode (its import: ~0.1 CPU-s, #14)
    import redis
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

__all__ = ["CachedRobots", "RedisRobotsStore", "SharedRobotsTxtMiddleware", "is_fresh"]

log = logging.getLogger(__name__)

#: How long a crawl waits between two looks for the copy another crawl is fetching.
WAIT_POLL = 0.05

#: Redis keeps a copy this much longer than it is fresh (a simulated clock may lag).
KEEP_MARGIN_SECONDS = 3600


@dataclass(frozen=True)
class CachedRobots:
    status: int
    body: bytes
    fetched_at: float
    """Seconds since the epoch on the crawl's clock (``crawler.clock.CrawlClock``)."""

    def to_json(self) -> str:
        return json.dumps(
            {
                "status": self.status,
                "body": self.body.decode("latin-1"),
                "fetched_at": self.fetched_at,
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> CachedRobots | None:
        try:
            data = json.loads(text)
            return cls(int(data["status"]), str(data["body"]).encode("latin-1"), data["fetched_at"])
        except (ValueError, KeyError, TypeError):
            return None  # an entry of another format: fetched again


def is_fresh(entry: CachedRobots, now: float, max_age: float) -> bool:
    """Whether a copy fetched at ``entry.fetched_at`` may still be used at ``now``."""
    return now - entry.fetched_at < max_age


@dataclass
class RedisRobotsStore:
    """The fleet's copies, one key per origin (``scheme://host:port``)."""

    client: redis.Redis
    prefix: str
    max_age: float
    claim_seconds: float

    def key(self, origin: str) -> str:
        return f"{self.prefix}:robots:{origin}"

    def get(self, origin: str, now: float) -> CachedRobots | None:
        """The fresh copy of ``origin``, or None."""
        raw = self.client.get(self.key(origin))
        entry = CachedRobots.from_json(raw) if isinstance(raw, (bytes, str)) else None
        return entry if entry is not None and is_fresh(entry, now, self.max_age) else None

    def claim(self, origin: str) -> bool:
        """True for the one crawl that fetches ``origin``'s robots.txt now."""
        claimed = self.client.set(
            self.key(origin) + ":fetching", "1", nx=True, px=int(self.claim_seconds * 1000)
        )
        return bool(claimed)

    def put(self, origin: str, entry: CachedRobots) -> None:
        ttl = int(self.max_age + KEEP_MARGIN_SECONDS)
        self.client.set(self.key(origin), entry.to_json(), ex=ttl)

    def unclaim(self, origin: str) -> None:
        self.client.delete(self.key(origin) + ":fetching")


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """See the module docstring; in place of Scrapy's ``RobotsTxtMiddleware`` (order 100)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)  # NotConfigured unless ROBOTSTXT_OBEY
        settings = crawler.settings
        self.clock = CrawlClock.from_settings(settings)
        url = settings.get("MEDIAMON_QUEUE_URL") or ""
        self.store: RedisRobotsStore | None = None
        if url:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
            self.store = RedisRobotsStore(
                client,
                settings.get("MEDIAMON_QUEUE_PREFIX") or "mediamon",
                max_age=settings.getfloat("MEDIAMON_ROBOTS_CACHE_SECONDS", 86400),
                claim_seconds=settings.getfloat("DOWNLOAD_TIMEOUT", 30) + 30,
            )

    async def robot_parser(self, request: Request) -> RobotParser | None:
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            origin = f"{url.scheme}://{netloc}"
            try:
                if self.store is None:
                    response = await self._download(origin)
                else:
                    entry = await self._shared_copy(self.store, origin)
                    response = TextResponse(
                        f"{origin}/robots.txt", status=entry.status, body=entry.body
                    )
            except Exception as exc:
                if not isinstance(exc, IgnoreRequest):
                    log.warning("robots.txt of %s not read: %s", origin, exc)
                self._robots_error(exc, netloc)
            else:
                await self._parse_robots(response, netloc, request)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await _each_waiter(parser)
        return parser

    async def _shared_copy(self, store: RedisRobotsStore, origin: str) -> CachedRobots:
        """The fleet's fresh copy, fetched here only when no other crawl is fetching it."""
        while True:
            now = self.clock.now().timestamp()
            entry = store.get(origin, now)
            if entry is not None:
                return entry
            if store.claim(origin):
                try:
                    response = await self._download(origin)
                    entry = CachedRobots(response.status, response.body, now)
                    store.put(origin, entry)
                    return entry
                finally:
                    store.unclaim(origin)
            await asyncio.sleep(WAIT_POLL)

    async def _download(self, origin: str) -> Response:
        """robots.txt through the engine, first in its slot, as Scrapy fetches it."""
        robots = Request(
            f"{origin}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        assert self.crawler.engine is not None
        self._stats.inc_value("robotstxt/request_count")
        return await self.crawler.engine.download_async(robots)


def _each_waiter(shared: Deferred[RobotParser | None]) -> Awaitable[RobotParser | None]:
    """A future of the parser for one more request waiting for it.

    Scrapy's middleware awaits the one shared ``Deferred`` from every waiting request
    (``maybe_deferred_to_future``), but ``Deferred.asFuture`` hands the result to its future
    and passes None down the chain: from the second waiter on, a request saw no parser and
    ignored robots.txt (Scrapy 2.19, asyncio reactor). Each waiter gets a ``Deferred`` of its
    own here, fed by a callback that passes the parser on.
    """
    mine: Deferred[RobotParser | None] = Deferred()

    def hand_on(parser: RobotParser | None) -> RobotParser | None:
        mine.callback(parser)
        return parser

    shared.addCallback(hand_on)
    return maybe_deferred_to_future(mine)
