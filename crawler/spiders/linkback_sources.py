"""Spiders that fetch one page per task: source checks, and endpoint discovery.

``SourceCheckSpider`` fetches each task's source page and verifies it against the task's
target with the same code the harvest uses for its first check; the re-check and verify
runs differ only in the tasks they build and the pipeline that stores the results.
``EndpointSpider`` fetches a page (following redirects, one request per URL) and reads the
Webmention, Pingback and TrackBack endpoints it advertises on its *final* URL.

Both yield an item for every task, a failed fetch included (its label says why), and never
touch storage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.fetching.errors import describe_failure
from crawler.harvest.model import Fetched, PageEndpoints, SourceChecked, SourceTask
from crawler.harvest.routes import check_source, read_endpoints
from crawler.linkbacks.urls import is_http_url
from crawler.spiders.linkback_fetch import HTML_ACCEPT, fetched_from, request_meta
from crawler.spiders.timing import crawl_now


def _request(url: str, spider: Any, meta: dict[str, Any]) -> scrapy.Request | str:
    """The request for ``url``, or why there is none (only http(s) is ever fetched)."""
    if not is_http_url(url):
        return "not an http(s) URL"
    try:
        return scrapy.Request(
            url,
            callback=spider.fetched,
            errback=spider.failed,
            headers={"Accept": HTML_ACCEPT},
            dont_filter=True,
            meta=request_meta(**meta),
        )
    except ValueError as exc:
        return f"bad URL: {exc}"[:300]


def _failure(failure: Failure) -> tuple[Any, Fetched]:
    request = failure.request  # type: ignore[attr-defined]
    label = describe_failure(failure, request.url).label
    return request.meta, Fetched(url=request.url, error=label)


class SourceCheckSpider(scrapy.Spider):
    """One ``SourceChecked`` item per ``SourceTask``."""

    name = "linkback-sources"

    def __init__(self, tasks: Iterable[SourceTask] = (), **kw: Any) -> None:
        super().__init__(**kw)
        self.tasks = list(tasks)

    async def start(self) -> AsyncIterator[Any]:
        for task in self.tasks:
            request = _request(task.url, self, {"task": task})
            if isinstance(request, str):
                yield self._item(task, Fetched(url=task.url, error=request))
            else:
                yield request

    def _item(self, task: SourceTask, fetched: Fetched) -> SourceChecked:
        return SourceChecked(task, check_source(fetched, task.target), crawl_now(self))

    def fetched(self, response: Response) -> Iterator[SourceChecked]:
        task: SourceTask = response.meta["task"]
        yield self._item(task, fetched_from(response, task.url))

    def failed(self, failure: Failure) -> Iterator[SourceChecked]:
        meta, fetched = _failure(failure)
        task: SourceTask = meta["task"]
        yield self._item(task, Fetched(url=task.url, error=fetched.error))


class EndpointSpider(scrapy.Spider):
    """One ``PageEndpoints`` item per URL."""

    name = "linkback-endpoints"

    def __init__(self, urls: Iterable[str] = (), **kw: Any) -> None:
        super().__init__(**kw)
        self.urls = list(urls)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            request = _request(url, self, {"url": url})
            if isinstance(request, str):
                yield PageEndpoints(url, error=request)
            else:
                yield request

    def fetched(self, response: Response) -> Iterator[PageEndpoints]:
        yield read_endpoints(fetched_from(response, response.meta["url"]))

    def failed(self, failure: Failure) -> Iterator[PageEndpoints]:
        meta, fetched = _failure(failure)
        yield read_endpoints(Fetched(url=meta["url"], error=fetched.error))
