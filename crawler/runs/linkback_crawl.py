"""Running one Scrapy crawl for a linkback job: the settings, and the process.

The settings are the project's (``crawler.fetching.settings.scrapy_settings``: politeness,
limits, the address guard) plus what linkback runs add: the WordPress.com API host joins the
guard's allow-list (it comes from the config, like the sites), Retry-After host blocks are
honoured, and only http(s) can ever be downloaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crawler.config import Config
from crawler.fetching.settings import allowed_hosts, scrapy_settings
from crawler.pipelines.linkbacks import CONTEXT_SETTING, RunContext, register_context
from crawler.runs.process import run_spider

__all__ = ["PIPELINE_ORDER", "crawl", "linkback_settings"]

PIPELINE_ORDER = 500


def linkback_settings(
    config: Config, blocked: Mapping[str, datetime], overrides: Mapping[str, Any], log_level: str
) -> dict[str, Any]:
    """The Scrapy settings of a linkback run (``overrides`` win, e.g. tests' timeouts)."""
    from crawler.spiders.linkback_fetch import SAFE_DOWNLOAD_HANDLERS

    settings = scrapy_settings(config, log_level=log_level, overrides=overrides)
    api_host = urlsplit(config.linkbacks.wpcom_api_base).hostname or ""
    # The WordPress.com API base comes from the config, like the sites: trusted.
    settings["MEDIAMON_ALLOW_HOSTS"] = sorted({*allowed_hosts(config), api_host} - {""})
    settings["MEDIAMON_BLOCKED_HOSTS"] = {h: t.isoformat() for h, t in blocked.items()}
    settings["DOWNLOAD_HANDLERS"] = {
        **SAFE_DOWNLOAD_HANDLERS,
        **dict(overrides.get("DOWNLOAD_HANDLERS", {})),
    }
    settings.update({k: v for k, v in overrides.items() if k != "DOWNLOAD_HANDLERS"})
    return settings


def crawl(
    settings: dict[str, Any],
    spider: type[Any],
    spider_kwargs: Mapping[str, Any],
    pipeline: str | None,
    context: RunContext | None,
    items: list[Any] | None = None,
) -> None:
    """Run ``spider`` to the end in this process; its items go to ``pipeline`` (with
    ``context``) and, if given, into ``items``."""
    if pipeline is not None and context is not None:
        settings["ITEM_PIPELINES"] = {pipeline: PIPELINE_ORDER}
        settings[CONTEXT_SETTING] = register_context(context)
    run_spider(settings, spider, spider_kwargs, log_level=settings["LOG_LEVEL"], items=items)
