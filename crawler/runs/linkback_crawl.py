"""Running one Scrapy crawl for a linkback job: the settings, and the process.

The settings are the project's (``crawler.fetching.settings.scrapy_settings``: politeness,
limits, the address guard, whose trusted URLs include the WordPress.com API base) plus what
linkback runs add: Retry-After host blocks are honoured, and only http(s) can ever be
downloaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crawler.config import Config
from crawler.fetching.settings import scrapy_settings
from crawler.pipelines.linkbacks import CONTEXT_SETTING, RunContext
from crawler.pipelines.shared import Shared
from crawler.runs.process import run_spider

__all__ = ["PIPELINE_ORDER", "crawl", "linkback_settings"]

PIPELINE_ORDER = 500


def linkback_settings(
    config: Config, blocked: Mapping[str, datetime], overrides: Mapping[str, Any], log_level: str
) -> dict[str, Any]:
    """The Scrapy settings of a linkback run (``overrides`` win, e.g. tests' timeouts)."""
    settings = scrapy_settings(config, log_level=log_level, overrides=overrides)
    settings["MEDIAMON_BLOCKED_HOSTS"] = {h: t.isoformat() for h, t in blocked.items()}
    settings.update(overrides)
    return settings


def crawl(
    settings: dict[str, Any],
    spider: type[Any],
    spider_kwargs: Mapping[str, Any],
    pipeline: str | None,
    context: RunContext | None,
    items: list[Any] | None = None,
) -> dict[str, Any]:
    """Run ``spider`` to the end in this process; its items go to ``pipeline`` (with
    ``context``) and, if given, into ``items``. Returns the crawler's stats."""
    if pipeline is not None and context is not None:
        settings["ITEM_PIPELINES"] = {pipeline: PIPELINE_ORDER}
        settings[CONTEXT_SETTING] = Shared(context)
    return run_spider(settings, spider, spider_kwargs, log_level=settings["LOG_LEVEL"], items=items)
