"""One fetch through Scrapy's downloader, as a ``Fetched`` value: the linkback spiders' I/O.

The harvest, re-check, verify and discovery spiders all make their extra requests with
``engine.download_async``, so every fetch still goes through the downloader middlewares and
settings: the address guard (after DNS, on every redirect), the body, time and redirect
limits, per-host politeness and Retry-After blocks. Failures become the shared labels of
``crawler.fetching.errors`` ("timeout", "too many redirects", "address guard: ..."), so
nothing above this module sees a Scrapy or Twisted exception.

Only http(s) URLs are ever requested: a URL from a comment or a receipt could name
``file:`` or ``data:``, which Scrapy would otherwise happily open.

robots.txt is not consulted for these fetches: they are our own site, an API, or the one
page a linkback pointed at us from (the pingback and webmention receivers of WordPress and
webmention.io do the same); see docs/linkbacks.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.fetching.errors import describe_exception
from crawler.harvest.model import Fetched
from crawler.linkbacks.urls import is_http_url

__all__ = [
    "HANDLED_STATUSES",
    "HTML_ACCEPT",
    "fetch",
    "fetched_from",
    "request_meta",
]

#: Statuses the linkback code judges itself (redirects stay with RedirectMiddleware).
HANDLED_STATUSES = list(range(400, 600))
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


def request_meta(**extra: Any) -> dict[str, Any]:
    """The meta every linkback request carries."""
    return {
        "dont_obey_robotstxt": True,
        "dont_retry": True,
        "handle_httpstatus_list": HANDLED_STATUSES,
        **extra,
    }


def fetched_from(response: Response, url: str) -> Fetched:
    """A Scrapy response as a ``Fetched`` (repeated headers kept, in order per name)."""
    headers = tuple(
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        for value in values
    )
    return Fetched(
        url=url,
        final_url=response.url,
        status=response.status,
        headers=headers,
        body=response.body,
    )


async def fetch(
    crawler: Crawler,
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """Fetch ``url`` through the downloader; never raises for a failed fetch."""
    if not is_http_url(url):
        return Fetched(url=url, error="not an http(s) URL")
    try:
        request = scrapy.Request(
            url,
            method=method,
            body=body,
            headers=dict(headers or {"Accept": HTML_ACCEPT}),
            dont_filter=True,
            meta=request_meta(),
        )
    except ValueError as exc:
        return Fetched(url=url, error=f"bad URL: {exc}"[:300])
    engine = crawler.engine
    if engine is None:
        return Fetched(url=url, error="crawler not running")
    try:
        response = await engine.download_async(request)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # every download failure becomes a label
        return Fetched(url=url, error=describe_exception(exc, url).label)
    return fetched_from(response, url)
