"""Running one spider to the end in this process: the one crawl set-up every run kind uses.

Scrapy's reactor starts once per process, so a process calls this once (the CLI is a fresh
process; the scheduler, tests and benchmarks use a child process per run); several runs that
share the process are crawled together by one call (``run_spiders``). A crawl
that cannot start (a component that fails to load, a bad spider argument) raises
``CrawlFailed`` instead of ending quietly with nothing crawled.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Setting prefixes that belong to the process, not to one crawler.
_PROCESS_WIDE = ("TWISTED_", "ASYNCIO_", "REACTOR_", "LOG_", "DNS_")


class CrawlFailed(RuntimeError):
    """The crawl did not run (Scrapy logged the traceback; this says why in one line)."""


@dataclass(frozen=True)
class SpiderRun:
    """One crawler to run: its own settings (its run's context, guard and database), its spider
    and the spider's arguments; ``items``, if given, receives every scraped item."""

    settings: dict[str, Any]
    spider: type[Any]
    arguments: Mapping[str, Any]
    items: list[Any] | None = None


@dataclass(frozen=True)
class SpiderResult:
    """What one crawler ended with: its stats, or why it could not run."""

    stats: dict[str, Any]
    failure: str = ""


def run_spiders(runs: Sequence[SpiderRun], *, log_level: str = "WARNING") -> list[SpiderResult]:
    """Crawl every run at the same time in this process's one reactor, until all are done.

    Each crawler is built from its own settings, so its components (storage pipeline, address
    guard, politeness) are its own; one that cannot start fails alone.
    """
    # Imported here so that a parent that only starts children never loads a reactor.
    from scrapy import signals
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.settings import Settings

    # The process holds only what is process-wide (the reactor, its resolver, logging), at
    # the lowest priority: Scrapy merges a runner's settings into each crawler it runs.
    first = runs[0].settings if runs else {}
    shared = Settings()
    shared.setdict({k: v for k, v in first.items() if k.startswith(_PROCESS_WIDE)}, "default")
    shared.set("LOG_INSTALL_ROOT_HANDLER", False, "default")
    process = CrawlerProcess(shared)
    # Scrapy's logging setup resets its logger to DEBUG; the caller's level wins.
    logging.getLogger("scrapy").setLevel(getattr(logging, log_level.upper(), logging.WARNING))
    crawlers: list[Any] = []
    failures: list[list[str]] = []
    for index, run in enumerate(runs):
        settings = dict(run.settings)
        settings["LOG_INSTALL_ROOT_HANDLER"] = False
        # The first crawler installs the reactor (TWISTED_REACTOR); the others share it.
        crawler = Crawler(run.spider, Settings(settings), init_reactor=index == 0)
        if run.items is not None:
            crawler.signals.connect(_collector(run.items), signal=signals.item_scraped, weak=False)
        failed: list[str] = []

        def record(failure: Any, into: list[str] = failed) -> None:
            into.append(f"{failure.type.__name__}: {failure.getErrorMessage()}")

        process.crawl(crawler, **run.arguments).addErrback(record)
        crawlers.append(crawler)
        failures.append(failed)
    # Everything loaded so far (Scrapy, trafilatura, the compiled queries) lives as long as
    # the crawl: keep it out of the garbage collector's full passes.
    gc.freeze()
    process.start()
    return [
        SpiderResult(
            dict(crawler.stats.get_stats()) if crawler.stats else {},
            f"the crawl could not run: {failed[0]}" if failed else "",
        )
        for crawler, failed in zip(crawlers, failures, strict=True)
    ]


def _collector(items: list[Any]) -> Any:
    def collect(item: Any) -> None:
        items.append(item)

    return collect


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
    (result,) = run_spiders(
        [SpiderRun(settings, spider, spider_kwargs, items)], log_level=log_level
    )
    if result.failure:
        raise CrawlFailed(result.failure)
    return result.stats
