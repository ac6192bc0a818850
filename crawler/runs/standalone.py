"""Runs started by Scrapy's own command line: ``MEDIAMON_CONFIG=FILE scrapy crawl feeds``.

``scrapy.cfg`` points the ``scrapy`` command at ``crawler.settings``, so a crawler engineer can
run a spider the way they run any Scrapy project. Started that way a spider has no run around
it; its ``from_crawler`` then asks the function named in ``crawler.settings`` (``MEDIAMON_
STANDALONE``) to prepare one exactly as ``mediamon poll`` does: the config from
``$MEDIAMON_CONFIG``, the database from ``$MEDIAMON_DATABASE_URL`` or the config, the due
sources, the storage pipeline and its context in the crawler's settings, and the run's
``crawl_runs`` row, finished when the spider closes. The spider stays a spider; this module
(in the runs layer) is the only place that knows about both.

Spider arguments (``-a NAME=VALUE``) of ``feeds``: ``source`` (a source name, or several
separated by commas) and ``all`` (``1``/``true``: every source, due or not).
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from crawler.config import ConfigError, config_path, database_url, load_config
from crawler.fetching.resolver import GuardedResolver
from crawler.runs.poll import prepare_poll
from crawler.storage.db import make_engine

FEEDS_ARGUMENTS = ("source", "all")
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


def prepare_feeds(crawler: Crawler, **given: Any) -> dict[str, Any]:
    """Prepare a poll for ``scrapy crawl feeds``; returns the spider's arguments."""
    arguments = _arguments("feeds", given, FEEDS_ARGUMENTS)
    names = [n.strip() for n in str(arguments.get("source", "")).split(",") if n.strip()]
    all_sources = _flag("all", arguments.get("all", ""))
    config = load_config(config_path(None))
    engine = make_engine(database_url(config, None))
    poll = prepare_poll(config, engine, source_names=names, all_sources=all_sources)
    if poll.report.exit_status:
        poll.record.finish(poll.report)
        raise ValueError(poll.report.error)
    level = str(crawler.settings.get("LOG_LEVEL") or "INFO")
    for key, value in poll.crawl_settings({}, level).items():
        crawler.settings.set(key, value, priority="spider")

    def closed(spider: Any, reason: str) -> None:
        if reason != "finished":
            poll.report.exit_status = poll.report.exit_status or 1
            poll.report.error = poll.report.error or f"the crawl ended: {reason}"
        stats = crawler.stats.get_stats() if crawler.stats else {}
        poll.crawled(stats)
        poll.record.finish(poll.report)
        engine.dispose()

    crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
    _guard_with_this_config(crawler)
    return poll.spider_arguments()


def _guard_with_this_config(crawler: Crawler) -> None:
    """Scrapy builds the DNS resolver (the address guard) from the *process* settings when
    the reactor starts, and ``scrapy crawl`` knows nothing of the config there. Once the
    engine starts, the guard is installed again from this crawler's settings (the config's
    ``crawl.resolve`` map and allow-list), before the first request is resolved."""

    def install() -> None:
        from twisted.internet import reactor

        GuardedResolver.from_crawler(crawler, reactor).install_on_reactor()

    crawler.signals.connect(install, signal=signals.engine_started, weak=False)
