"""Permits and pacing for one multi-tenant blog platform as a whole (#16, #19).

A platform (``wordpress.com``, ``substack.com`` ...) gets at most ``limit`` requests in flight
and at most ``rate`` requests started per second, however many of its blogs are fetched. In
embedded mode one crawl process holds that state in memory (``LocalPlatformLimits``); in
queue mode every worker's crawl shares it in Redis (``RedisPlatformLimits``), so a fleet of
N workers is as polite to the platform as one process.

The pacing is a reservation: each request takes the next free start time of its platform
(``reserve``) and waits until then, so requests are spaced ``1 / rate`` apart without a
polling loop. The Redis side does the same in one Lua script on Redis's own clock (every
machine sees one time). A permit in Redis is a member of a sorted set scored by its expiry,
so the permit of a crawl that was killed frees itself after ``permit_ttl`` seconds.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the client is made (and redis imported) only in queue mode (platforms.py)
    import redis

__all__ = [
    "LocalPlatformLimits",
    "PlatformLimits",
    "RedisPlatformLimits",
    "reserve",
]

#: How long a request waits between two tries for a permit held in Redis (seconds).
PERMIT_POLL = 0.02


def reserve(now: float, next_free: float, interval: float) -> tuple[float, float]:
    """The start time of a request arriving at ``now`` when the platform's next free start
    is ``next_free``, and the next free start after it: requests ``interval`` apart."""
    start = max(now, next_free)
    return start, start + interval


class PlatformLimits(Protocol):
    """What ``PlatformCapMiddleware`` needs: a permit (held during the download), a start
    time (the pace), and the permit given back."""

    async def acquire(self, platform: str) -> str:
        """Wait for a permit; returns its token (for ``release``)."""
        ...

    async def pace(self, platform: str) -> None:
        """Wait for this request's turn under the platform's rate."""
        ...

    def release(self, platform: str, token: str) -> None: ...


@dataclass
class LocalPlatformLimits:
    """One process's limits (embedded mode): a semaphore and a next start per platform."""

    limit: int
    rate: float
    """Requests started per second to one platform; 0 means no pacing."""
    _permits: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    _next: dict[str, float] = field(default_factory=dict)

    def _semaphore(self, platform: str) -> asyncio.Semaphore:
        found = self._permits.get(platform)
        if found is None:
            found = self._permits[platform] = asyncio.Semaphore(max(1, self.limit))
        return found

    async def acquire(self, platform: str) -> str:
        await self._semaphore(platform).acquire()
        return platform

    async def pace(self, platform: str) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        start, self._next[platform] = reserve(now, self._next.get(platform, now), 1 / self.rate)
        if start > now:
            await asyncio.sleep(start - now)

    def release(self, platform: str, token: str) -> None:
        del token
        self._semaphore(platform).release()


#: KEYS[1] the permits (sorted set: token -> expiry, ms); ARGV limit, token, ttl ms.
#: Returns 1 when the permit was taken.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

#: KEYS[1] the platform's next free start (ms, Redis time); ARGV interval ms.
#: Returns how long the caller waits before its request starts (ms).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or now))
redis.call('SET', KEYS[1], start + interval, 'PX', math.ceil(start - now + interval + 1000))
return start - now
"""


@dataclass
class RedisPlatformLimits:
    """The fleet's limits (queue mode), shared by every crawl on the same Redis and prefix.

    The client is synchronous: each call is one round trip to a local or nearby Redis
    (well under a millisecond), and waiting happens in ``asyncio.sleep`` between calls, so
    the crawl's event loop is never held while a permit is busy."""

    client: redis.Redis
    prefix: str
    limit: int
    rate: float
    permit_ttl: float
    """Seconds after which a permit that was never given back (a killed crawl) frees itself."""
    scope: str = "platform"
    """What the names are: ``platform`` (a blog platform as a whole) or ``site`` (one
    download slot: a registrable domain, or one blog of a platform)."""
    _acquire: redis.commands.core.Script | None = None
    _reserve: redis.commands.core.Script | None = None

    def __post_init__(self) -> None:
        self._acquire = self.client.register_script(_ACQUIRE)
        self._reserve = self.client.register_script(_RESERVE)

    def permits_key(self, platform: str) -> str:
        return f"{self.prefix}:{self.scope}:{platform}:permits"

    def pace_key(self, platform: str) -> str:
        return f"{self.prefix}:{self.scope}:{platform}:next"

    async def acquire(self, platform: str) -> str:
        assert self._acquire is not None
        token = uuid.uuid4().hex
        args: list[str | int] = [max(1, self.limit), token, int(self.permit_ttl * 1000)]
        while not self._acquire(keys=[self.permits_key(platform)], args=args):
            await asyncio.sleep(PERMIT_POLL)
        return token

    async def pace(self, platform: str) -> None:
        if self.rate <= 0:
            return
        assert self._reserve is not None
        interval_ms = max(1, round(1000 / self.rate))
        wait_ms = int(self._reserve(keys=[self.pace_key(platform)], args=[interval_ms]))
        if wait_ms > 0:
            await asyncio.sleep(wait_ms / 1000)

    def release(self, platform: str, token: str) -> None:
        self.client.zrem(self.permits_key(platform), token)
