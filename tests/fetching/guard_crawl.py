"""A real Scrapy crawl under ``scrapy_settings`` in its own process, for the guard tests.

``python -m tests.fetching.guard_crawl SPEC.json`` reads ``{"config": {...}, "urls": [...],
"settings": {...}}``, fetches the URLs one after the other (each after the previous one is
done, so every fetch opens its own connection and makes its own DNS lookup) with the
product's settings (address guard, proxy rules, limits), and prints one JSON line per URL:
``{"url", "status", "final_url", "error"}``. A child process because a Twisted reactor runs
once per process.

``FlipResolver`` is the DNS the rebinding test drives (setting ``MEDIAMON_UPSTREAM_RESOLVER``):
``rebind.test`` answers 127.0.0.1 on the first lookup and 127.0.0.2 on every later one,
``inward.test`` always 127.0.0.1, and IP literals answer themselves.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.python.failure import Failure

from crawler.config import parse_config
from crawler.fetching.errors import describe_failure
from crawler.fetching.settings import scrapy_settings


class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        return None


class FlipResolver:
    """See the module docstring."""

    def __init__(self) -> None:
        self.lookups: dict[str, int] = {}

    def answer(self, host: str) -> str | None:
        try:
            return str(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            pass
        count = self.lookups.get(host, 0)
        self.lookups[host] = count + 1
        if host == "rebind.test":
            return "127.0.0.1" if count == 0 else "127.0.0.2"
        if host == "inward.test":
            return "127.0.0.1"
        return None

    def resolveHostName(
        self,
        receiver: Any,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Any = None,
        transportSemantics: str = "TCP",
    ) -> _Resolution:
        resolution = _Resolution(hostName)
        receiver.resolutionBegan(resolution)
        ip = self.answer(hostName.lower())
        if ip is not None:
            cls = IPv6Address if ":" in ip else IPv4Address
            receiver.addressResolved(cls("TCP", ip, portNumber))
        receiver.resolutionComplete()
        return resolution


class SequenceSpider(scrapy.Spider):
    name = "guard-sequence"

    def __init__(self, urls: list[str], results: list[dict[str, Any]], **kw: Any) -> None:
        super().__init__(**kw)
        self.urls = list(urls)
        self.results = results

    def _next(self) -> Iterator[scrapy.Request]:
        if self.urls:
            url = self.urls.pop(0)
            meta = {
                "dont_retry": True,
                "handle_httpstatus_list": [403, 404, 500],
                "dont_obey_robotstxt": True,
            }
            yield scrapy.Request(
                url, callback=self.done, errback=self.failed, dont_filter=True, meta=meta
            )

    async def start(self) -> Any:
        for request in self._next():
            yield request

    def done(self, response: Response) -> Iterator[scrapy.Request]:
        original = response.request.meta.get("redirect_urls", [response.url])[0]
        self.results.append(
            {"url": original, "status": response.status, "final_url": response.url, "error": ""}
        )
        yield from self._next()

    def failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        original = request.meta.get("redirect_urls", [request.url])[0]
        label = describe_failure(failure, request.url).label
        self.results.append({"url": original, "status": 0, "final_url": "", "error": label})
        yield from self._next()


def main(spec_path: str) -> None:
    from scrapy.crawler import CrawlerProcess

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    config = parse_config(spec["config"], env={})
    settings = scrapy_settings(config, log_level="ERROR", overrides=spec.get("settings", {}))
    results: list[dict[str, Any]] = []
    process = CrawlerProcess(settings)
    process.crawl(SequenceSpider, urls=spec["urls"], results=results)
    process.start()
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
