"""Runs started by Scrapy's own command line: ``MEDIAMON_CONFIG=FILE scrapy crawl NAME``.

``scrapy.cfg`` points the ``scrapy`` command at ``crawler.settings``, so a crawler engineer can
run a spider the way they run any Scrapy project. Started that way a spider has no run around
it; its ``from_crawler`` then asks the function named in ``crawler.settings`` (``MEDIAMON_
STANDALONE``) to prepare one exactly as ``mediamon`` does: the config from
``$MEDIAMON_CONFIG``, the database from ``$MEDIAMON_DATABASE_URL`` or the config, what is due
(sources, sites or posts), the storage pipeline and its context in the crawler's settings,
and the run's ``crawl_runs`` row, finished when the spider closes. The spider stays a spider;
this module (in the runs layer) is the only place that knows about both.

Spider arguments (``-a NAME=VALUE``):

- ``feeds``: ``source`` (a source name, or several separated by commas) and ``all``
  (``1``/``true``: every source, due or not); as ``mediamon poll [--source NAME] [--all]``.
- ``site``: ``source`` (a source name, or several separated by commas; by default every
  source without a feed); as a scheduled site crawl.
- ``linkbacks``: ``post`` (the URL of one of our posts, or several separated by commas) or
  ``all`` (``1``/``true``: every recent post, due or not); as ``mediamon linkbacks``.

An unknown argument, a malformed value or a name that is not ours stops the crawl before
anything is fetched: Scrapy prints the error and exits non-zero, and nothing is stored but the
refused run's row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from sqlalchemy.engine import Engine

from crawler.config import Config, ConfigError, config_path, database_url, load_config
from crawler.runs.linkbacks import prepare_harvest
from crawler.runs.poll import prepare_poll
from crawler.runs.record import RunRecord, RunReport
from crawler.runs.site import prepare_site as prepare_site_crawl
from crawler.storage.db import make_engine

FEEDS_ARGUMENTS = ("source", "all")
SITE_ARGUMENTS = ("source",)
LINKBACKS_ARGUMENTS = ("post", "all")
_TRUE = ("1", "true", "yes")
_FALSE = ("", "0", "false", "no")


def check_environment() -> None:
    """Refuse to start (``scrapy`` exits 2) when the config cannot be loaded."""
    try:
        load_config(config_path(None))
    except ConfigError as exc:
        raise UsageError(f"MEDIAMON_CONFIG: {exc}", print_help=False) from None


def _flag(name: str, value: Any) -> bool:
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"spider argument {name}={value!r}: expected 1/true or 0/false")


def _arguments(spider: str, given: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(
            f"{spider}: unknown spider argument {', '.join(unknown)} (it takes: {', '.join(known)})"
        )
    return given


class _Prepared(Protocol):
    """A run prepared in steps (``PreparedPoll``, ``PreparedSite``, ``PreparedHarvest``)."""

    @property
    def record(self) -> RunRecord: ...

    @property
    def report(self) -> RunReport: ...

    def crawl_settings(self, overrides: Mapping[str, Any], log_level: str) -> dict[str, Any]: ...

    def spider_arguments(self) -> dict[str, Any]: ...


def _names(value: Any) -> list[str]:
    return [n.strip() for n in str(value).split(",") if n.strip()]


def _config_and_engine() -> tuple[Config, Engine]:
    config = load_config(config_path(None))
    return config, make_engine(database_url(config, None))


def _start(
    crawler: Crawler,
    run: _Prepared,
    engine: Engine,
    crawled: Callable[[Mapping[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Hand a prepared run to ``crawler``: refuse it (its row finished with the reason) if
    preparing found bad input, else put its settings on the crawler at spider priority and
    finish its row when the spider closes. Returns the spider's arguments."""
    report = run.report
    if report.exit_status:
        run.record.finish(report)
        engine.dispose()
        raise ValueError(report.error)
    level = str(crawler.settings.get("LOG_LEVEL") or "INFO")
    for key, value in run.crawl_settings({}, level).items():
        crawler.settings.set(key, value, priority="spider")

    def closed(spider: Any, reason: str) -> None:
        if reason == "shutdown":  # Ctrl-C or SIGTERM: README, "Exit codes"
            report.exit_status = report.exit_status or 130
            report.error = report.error or "interrupted"
        elif reason != "finished":
            report.exit_status = report.exit_status or 1
            report.error = report.error or f"the crawl ended: {reason}"
        if crawled is not None:
            crawled(crawler.stats.get_stats() if crawler.stats else {})
        run.record.finish(report)
        engine.dispose()

    crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
    return run.spider_arguments()


def prepare_feeds(crawler: Crawler, **given: Any) -> dict[str, Any]:
    """Prepare a poll for ``scrapy crawl feeds``; returns the spider's arguments."""
    arguments = _arguments("feeds", given, FEEDS_ARGUMENTS)
    names = _names(arguments.get("source", ""))
    all_sources = _flag("all", arguments.get("all", ""))
    config, engine = _config_and_engine()
    poll = prepare_poll(config, engine, source_names=names, all_sources=all_sources)
    return _start(crawler, poll, engine, poll.crawled)


def prepare_site(crawler: Crawler, **given: Any) -> dict[str, Any]:
    """Prepare a site crawl for ``scrapy crawl site``; returns the spider's arguments."""
    arguments = _arguments("site", given, SITE_ARGUMENTS)
    names = _names(arguments.get("source", ""))
    config, engine = _config_and_engine()
    crawl = prepare_site_crawl(config, engine, source_names=names)
    return _start(crawler, crawl, engine, crawl.crawled)


def prepare_linkbacks(crawler: Crawler, **given: Any) -> dict[str, Any]:
    """Prepare a harvest for ``scrapy crawl linkbacks``; returns the spider's arguments."""
    arguments = _arguments("linkbacks", given, LINKBACKS_ARGUMENTS)
    urls = _names(arguments.get("post", ""))
    all_posts = _flag("all", arguments.get("all", ""))
    if urls and all_posts:
        raise ValueError("linkbacks: spider arguments post and all exclude each other")
    config, engine = _config_and_engine()
    harvest = prepare_harvest(config, engine, post_urls=urls, all_posts=all_posts)
    return _start(crawler, harvest, engine, harvest.crawled)
