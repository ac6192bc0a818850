"""Running one spider to the end in this process: the one crawl set-up every run kind uses.

Scrapy's reactor starts once per process, so each ``run_*`` function calls this once (the CLI
is a fresh process; the scheduler, tests and benchmarks use a child process per run). A crawl
that cannot start (a component that fails to load, a bad spider argument) raises
``CrawlFailed`` instead of ending quietly with nothing crawled.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Mapping
from typing import Any


class CrawlFailed(RuntimeError):
    """The crawl did not run (Scrapy logged the traceback; this says why in one line)."""


#: The exit status of a run stopped by Ctrl-C or SIGTERM (README, "Exit codes").
INTERRUPTED = 130


def interrupted(stats: Mapping[str, Any]) -> bool:
    """Whether a crawl ended because the process was told to stop (SIGINT, SIGTERM): Scrapy
    then closes the spider with the reason ``shutdown``, after storing what arrived."""
    return stats.get("finish_reason") == "shutdown"


def run_spider(
    settings: dict[str, Any],
    spider: type[Any],
    spider_kwargs: Mapping[str, Any],
    *,
    log_level: str = "WARNING",
    items: list[Any] | None = None,
) -> dict[str, Any]:
    """Crawl with ``spider`` until it is done; returns the crawler's stats.

    ``items``, if given, receives every scraped item (runs without a storage pipeline).
    """
    # Imported here so that a parent that only starts children never loads a reactor.
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    settings["LOG_INSTALL_ROOT_HANDLER"] = False
    process = CrawlerProcess(settings)
    # Scrapy's logging setup resets its logger to DEBUG; the caller's level wins.
    logging.getLogger("scrapy").setLevel(getattr(logging, log_level.upper(), logging.WARNING))
    crawler = process.create_crawler(spider)
    if items is not None:

        def collect(item: Any) -> None:
            items.append(item)

        crawler.signals.connect(collect, signal=signals.item_scraped)
    failures: list[str] = []

    def failed(failure: Any) -> None:
        failures.append(f"{failure.type.__name__}: {failure.getErrorMessage()}")

    process.crawl(crawler, **spider_kwargs).addErrback(failed)
    # Everything loaded so far (Scrapy, trafilatura, the compiled queries) lives as long as
    # the crawl: keep it out of the garbage collector's full passes.
    gc.freeze()
    process.start()
    if failures:
        raise CrawlFailed(f"the crawl could not run: {failures[0]}")
    return dict(crawler.stats.get_stats()) if crawler.stats else {}
