"""A gzip body under a wrong ``Content-Encoding`` (issue #15's bad input), through the real
Scrapy response path: our relabelling middleware, then Scrapy's own compression middleware,
as the settings order them; then the parser."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.feeds.parse import parse_feed
from crawler.middlewares import GzipLabelMiddleware

FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Z</title>'
    b"<item><title>Zipped</title><link>https://wild.test/z</link></item></channel></rss>"
)


def through_the_middlewares(body: bytes, encoding: str | None) -> Response:
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 1024 * 1024})
    compression = HttpCompressionMiddleware.from_crawler(crawler)
    headers = {"Content-Type": "application/rss+xml"}
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    request = Request("https://wild.test/feed")
    response = Response(request.url, body=body, headers=headers, request=request)
    relabelled = GzipLabelMiddleware().process_response(request, response)
    return compression.process_response(request, relabelled)  # type: ignore[no-any-return]


@pytest.mark.parametrize("encoding", ["deflate", "identity", "utf-8", None, "gzip"])
def test_gzip_under_any_label_reaches_the_parser_inflated(encoding: str | None) -> None:
    response = through_the_middlewares(gzip.compress(FEED), encoding)
    assert response.body == FEED
    feed = parse_feed(response.body, url=response.url, now=datetime(2026, 11, 10, tzinfo=UTC))
    assert [e.title for e in feed.entries] == ["Zipped"]


def test_plain_bodies_are_left_alone() -> None:
    assert through_the_middlewares(FEED, "identity").body == FEED
