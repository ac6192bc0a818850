"""The platform-wide cap and rate hold across processes in queue mode (#19): two crawls
sharing one Redis (as two workers do) together stay under ``platform_concurrency`` and
``platform_rate``, measured by a local server's own record of the requests in flight, and
every permit is given back. The permit and pace scripts are checked on the real Redis too.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis

from crawler.fetching.platform_limits import RedisPlatformLimits, reserve
from tests.fetching.test_platform_cap import (
    CAP,
    PLATFORM,
    Meter,
    finish_crawl,
    meter,
    most_in_a_second,
    start_crawl,
    write_config,
)
from tests.queue.conftest import REDIS_URL, queue_section

__all__ = ["meter"]  # the fixture, used by name


def test_reserve_spaces_requests_by_the_interval() -> None:
    assert reserve(10.0, 0.0, 0.5) == (10.0, 10.5)  # nothing pending: now
    assert reserve(10.0, 10.5, 0.5) == (10.5, 11.0)  # after the one before it


def test_redis_permits_stop_at_the_limit_and_come_back(queue_prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    limits = RedisPlatformLimits(client, queue_prefix, limit=2, rate=0, permit_ttl=60)
    key = limits.permits_key(PLATFORM)

    async def scenario() -> None:
        first = await limits.acquire(PLATFORM)
        second = await limits.acquire(PLATFORM)
        assert client.zcard(key) == 2
        third = asyncio.ensure_future(limits.acquire(PLATFORM))
        await asyncio.sleep(0)  # let it try once: the limit is reached, so it waits
        assert not third.done()
        limits.release(PLATFORM, first)
        token = await asyncio.wait_for(third, timeout=60)
        assert {m.decode() for m in client.zrange(key, 0, -1)} == {second, token}
        limits.release(PLATFORM, second)
        limits.release(PLATFORM, token)

    asyncio.run(scenario())
    assert client.zcard(key) == 0
    client.close()


def test_a_killed_crawls_permit_frees_itself(queue_prefix: str) -> None:
    """A permit never given back (its crawl was killed) expires after ``permit_ttl``, read
    on Redis's clock: here the expiry is written in the past by hand."""
    client = redis.Redis.from_url(REDIS_URL)
    limits = RedisPlatformLimits(client, queue_prefix, limit=1, rate=0, permit_ttl=60)
    key = limits.permits_key(PLATFORM)
    client.zadd(key, {"dead-crawl": 1})  # expired long ago (ms since the epoch)

    async def take() -> str:
        return await asyncio.wait_for(limits.acquire(PLATFORM), timeout=60)

    token = asyncio.run(take())
    assert [m.decode() for m in client.zrange(key, 0, -1)] == [token]
    client.close()


@pytest.mark.slow
def test_two_processes_share_the_platform_cap_and_rate(
    meter: tuple[Meter, int], tmp_path: Path, queue_prefix: str
) -> None:
    m, port = meter
    m.fill = CAP  # each request waits until CAP are in flight: the cap is reached, not guessed
    blogs = [f"fleet{n}.{PLATFORM}" for n in range(40)]
    queue = queue_section(queue_prefix)
    crawls = []
    for n, half in enumerate((blogs[:20], blogs[20:])):
        config = write_config(tmp_path, blogs, rate=10, extra=queue, name=f"worker{n}")
        crawls.append(start_crawl(config, [f"http://{h}:{port}/1" for h in half]))
    results = [finish_crawl(proc) for proc in crawls]
    assert results == [[""] * 20, [""] * 20]
    assert len(m.seen) == 40
    # Alone, each process would hold CAP requests and start 10 a second: together twice that.
    assert m.peak_platform == CAP
    assert most_in_a_second(m.starts) <= 11
    client = redis.Redis.from_url(REDIS_URL)
    assert client.zcard(f"{queue_prefix}:platform:{PLATFORM}:permits") == 0  # all given back
    client.close()


@pytest.mark.slow
def test_two_processes_share_one_sites_permits(
    meter: tuple[Meter, int], tmp_path: Path, queue_prefix: str
) -> None:
    """Two crawls of one ordinary site (as when a harvest reads a blog whose feed another
    worker polls) keep to ``concurrent_per_host = 1`` together, and give every permit back."""
    m, port = meter
    m.linger = 0.3  # each request waits for an overlap that must not come
    host = "shared.plain.test"
    queue = queue_section(queue_prefix)
    crawls = []
    for n in range(2):
        config = write_config(tmp_path, [host], extra=queue, name=f"worker{n}", delay=0)
        pages = [f"http://{host}:{port}/{n}/{p}" for p in range(4)]
        crawls.append(start_crawl(config, pages))
    assert [finish_crawl(proc) for proc in crawls] == [[""] * 4, [""] * 4]
    assert len(m.starts) == 8
    assert not m.overlaps, m.overlaps
    client = redis.Redis.from_url(REDIS_URL)
    assert client.zcard(f"{queue_prefix}:site:plain.test:permits") == 0  # all given back
    client.close()
