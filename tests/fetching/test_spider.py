"""The feed spider's callbacks on hand-made responses: conditional GET, body hash, status
handling and redirects, without a network or a reactor."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.feeds.policy import Outcome, Severity
from crawler.middlewares import HostBlocked
from crawler.spiders.feeds import FeedSpider
from crawler.spiders.items import FeedFetched, FeedTask

FEED = (Path(__file__).parents[1] / "data" / "feeds" / "rss20.xml").read_bytes()
URL = "https://blog.orbis.test/feed/"


def task(**kw: Any) -> FeedTask:
    values: dict[str, Any] = {"source_id": 1, "name": "Blog", "url": URL}
    values.update(kw)
    return FeedTask(**values)


def respond(
    t: FeedTask,
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    url: str = URL,
    **meta: Any,
) -> Response:
    request = FeedSpider(tasks=[t]).feed_request(t)
    request = request.replace(url=url, meta={**request.meta, **meta})
    cls = TextResponse if body else Response
    return cls(url, status=status, body=body, headers=headers or {}, request=request)


def run(response: Response) -> list[FeedFetched]:
    spider = FeedSpider(tasks=[])

    async def collect() -> list[FeedFetched]:
        return [item async for item in spider.parse_feed(response)]

    return asyncio.run(collect())


def test_feed_request_sends_validators_verbatim_and_skips_robots() -> None:
    request = FeedSpider().feed_request(task(etag='W/"abc"', last_modified="Mon, 09 Nov 2026"))
    assert request.headers[b"If-None-Match"] == b'W/"abc"'
    assert request.headers[b"If-Modified-Since"] == b"Mon, 09 Nov 2026"
    assert request.headers[b"Accept-Encoding"] == b"gzip"
    assert request.meta["dont_obey_robotstxt"]
    assert request.meta["dont_retry"]
    assert request.dont_filter
    plain = FeedSpider().feed_request(task(etag='"x"', conditional=False))
    assert b"If-None-Match" not in plain.headers


def test_article_request_obeys_robots() -> None:
    from datetime import UTC, datetime

    from crawler.feeds.parse import parse_feed

    entry = parse_feed(FEED, url=URL, now=datetime.now(UTC)).entries[1]
    request = FeedSpider().article_request(1, entry)
    assert "dont_obey_robotstxt" not in request.meta
    assert request.url == entry.link


def test_304_costs_no_parse() -> None:
    t = task(etag='"v1"', body_hash="h")
    (item,) = run(respond(t, 304, headers={"ETag": '"v1"'}))
    assert item.outcome is Outcome.NOT_MODIFIED
    assert item.feed is None
    assert item.etag == '"v1"'
    assert item.body_hash == "h"
    assert item.sent_validators


def test_same_body_hash_counts_as_unchanged() -> None:
    t = task(body_hash=hashlib.sha256(FEED).hexdigest())
    (item,) = run(respond(t, 200, FEED))
    assert item.outcome is Outcome.UNCHANGED
    assert item.feed is None


def test_new_body_is_parsed_with_its_validators() -> None:
    headers = {"ETag": 'W/"v2"', "Last-Modified": "Tue, 10 Nov 2026 00:00:00 GMT"}
    (item,) = run(respond(task(), 200, FEED, headers, **{"redirect_reasons": [301, 308]}))
    assert item.outcome is Outcome.NEW
    assert item.feed is not None
    assert len(item.feed.entries) == 4
    assert item.etag == 'W/"v2"'
    assert item.last_modified.startswith("Tue")
    assert item.body_hash == hashlib.sha256(FEED).hexdigest()
    assert item.permanent_redirect


def test_mixed_redirects_are_not_permanent() -> None:
    (item,) = run(respond(task(), 200, FEED, **{"redirect_reasons": [301, 302]}))
    assert not item.permanent_redirect


def test_http_errors_are_weighted() -> None:
    (gone,) = run(respond(task(), 410, b"gone"))
    assert gone.outcome is Outcome.FAILED
    assert gone.error == "HTTP 410"
    assert gone.severity is Severity.HARD
    (limited,) = run(respond(task(), 429, b"slow down", {"Retry-After": "120"}))
    assert limited.severity is Severity.SOFT
    assert limited.headers["retry-after"] == "120"


def test_unparseable_body_is_a_hard_failure_but_never_raises() -> None:
    (item,) = run(respond(task(), 200, b"\x00\x01garbage"))
    assert item.outcome is Outcome.FAILED
    assert item.severity is Severity.HARD
    assert item.error.startswith("parse error")


def test_blocked_host_is_deferred_not_failed() -> None:
    t = task()
    request = FeedSpider().feed_request(t)
    until = datetime(2026, 11, 10, 12, tzinfo=UTC)
    failure = Failure(HostBlocked("blog.orbis.test", until))
    failure.request = request  # type: ignore[attr-defined]
    (item,) = list(FeedSpider().feed_failed(failure))
    assert item.deferred_until == until
    assert item.severity is None


def test_spider_yields_only_requests_from_its_tasks() -> None:
    spider = FeedSpider(tasks=[task(), task(source_id=2, url="https://b.test/rss")])

    async def collect() -> list[Any]:
        return [r async for r in spider.start()]

    requests = asyncio.run(collect())
    assert [r.url for r in requests] == [URL, "https://b.test/rss"]
    assert all(isinstance(r, scrapy.Request) for r in requests)
