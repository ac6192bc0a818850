"""Scrapy settings built from the organisation's config: every run starts from these.

One pure function, so the politeness, limits and safety of every crawl can be read (and
tested) in one place: the identifying User-Agent, robots.txt, per-host concurrency and delay,
AutoThrottle, no cookies and no Referer, the body, time and redirect limits, and the address
guard (``crawler.fetching.resolver.GuardedResolver``) with its static host map and allow-list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from crawler.config import Config
from crawler.fetching.guard import AllowList

PRODUCT = "mediamon"
RESOLVER = "crawler.fetching.resolver.GuardedResolver"
#: Statuses worth one immediate retry. 429 and 503 are not here: they carry Retry-After and
#: are honoured by the schedule (and the host block), not hammered again.
RETRY_HTTP_CODES = [500, 502, 504, 522, 524, 408]


def version() -> str:
    try:
        return metadata.version(PRODUCT)
    except metadata.PackageNotFoundError:  # running from a checkout without install
        return "0.1.0"


def user_agent(config: Config) -> str:
    """``mediamon/VERSION (+contact)``: product, version and the contact from the config.

    ``crawl.user_agent`` may be a full UA with its own product/version (kept as is), or a
    name with a contact in parentheses, or only the contact.
    """
    configured = config.crawl.user_agent.strip()
    if re.match(r"^[\w.-]+/\d[\w.]*\b", configured):
        return configured
    match = re.search(r"\(([^)]*)\)", configured)
    contact = match.group(1).strip() if match else configured
    if contact and not contact.startswith("+"):
        contact = f"+{contact}"
    return f"{PRODUCT}/{version()} ({contact})" if contact else f"{PRODUCT}/{version()}"


def trusted_urls(config: Config) -> list[str]:
    """URLs that come from the config itself: their hosts pass the address guard."""
    urls = [s.url for s in config.sources]
    for site in config.organisation.sites:
        urls.append(site.url)
        if site.feed:
            urls.append(site.feed)
    return urls


def allowed_hosts(config: Config) -> list[str]:
    """The allow-list the guard gets: ``crawl.allow_hosts`` plus the configured URLs' hosts."""
    return sorted(AllowList.of(config.crawl.allow_hosts, trusted_urls(config)).hosts)


def scrapy_settings(
    config: Config, *, log_level: str = "WARNING", overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The Scrapy settings for a run under ``config`` (``overrides`` win)."""
    crawl = config.crawl
    paced = crawl.download_delay > 0
    settings: dict[str, Any] = {
        "BOT_NAME": PRODUCT,
        "SPIDER_MODULES": ["crawler.spiders"],
        "USER_AGENT": user_agent(config),
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "COOKIES_ENABLED": False,
        "REFERER_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "CONCURRENT_REQUESTS": max(32, crawl.concurrent_per_host * 8),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_host,
        # Items per response processed in parallel: our callbacks yield one item and the
        # storage pipeline is synchronous, and Scrapy starts this many tasks per response.
        "CONCURRENT_ITEMS": 4,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if paced else 0.0,
        # download_delay = 0 means a local test web: no pacing at all, AutoThrottle included.
        "AUTOTHROTTLE_ENABLED": paced,
        "AUTOTHROTTLE_START_DELAY": max(1.0, crawl.download_delay),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(min(2, crawl.concurrent_per_host)),
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DNS_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_body_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "REDIRECT_MAX_TIMES": crawl.max_redirects,
        "METAREFRESH_ENABLED": False,
        "RETRY_TIMES": 1,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "URLLENGTH_LIMIT": 2048,
        "TWISTED_DNS_RESOLVER": RESOLVER,
        "MEDIAMON_RESOLVE": dict(crawl.resolve),
        "MEDIAMON_ALLOW_HOSTS": allowed_hosts(config),
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.HostBlockMiddleware": 90,
            "crawler.middlewares.HostMetricsMiddleware": 860,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
            "crawler.middlewares.NoRefererRedirectMiddleware": 600,
        },
        "LOG_LEVEL": log_level,
        "LOGSTATS_INTERVAL": 0,
        "STATS_DUMP": False,
        "MEMUSAGE_ENABLED": False,
    }
    settings.update(overrides or {})
    return settings
