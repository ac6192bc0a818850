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
from urllib.parse import urlsplit

from crawler.config import Config
from crawler.fetching.guard import AllowList

PRODUCT = "mediamon"


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
    """URLs that come from the config itself (sources, sites, feeds, the WordPress.com API
    base): their hosts pass the address guard on their own port, under its rules."""
    urls = [s.url for s in config.sources]
    for site in config.organisation.sites:
        urls.append(site.url)
        if site.feed:
            urls.append(site.feed)
    urls.append(config.linkbacks.wpcom_api_base)
    return urls


def allowed_hosts(config: Config) -> list[str]:
    """The allow-list the guard gets: ``crawl.allow_hosts``, plus ``name:port`` for configured
    URLs whose address is configured too (``crawler.fetching.guard``)."""
    crawl = config.crawl
    entries = list(crawl.allow_hosts)
    if crawl.proxy:  # the configured proxy is reached on its own address and port
        parts = urlsplit(crawl.proxy)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname or ""
        entries.append(f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
    return AllowList.of(entries, trusted_urls(config), crawl.resolve).entries


def default_settings() -> dict[str, Any]:
    """The project's defaults: the upper-case names of ``crawler.settings``, the one module of
    default Scrapy settings (``scrapy.cfg`` points the ``scrapy`` command at it too)."""
    from crawler import settings as defaults

    return {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()}


def scrapy_settings(
    config: Config, *, log_level: str = "WARNING", overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The Scrapy settings for a run under ``config``: the project's defaults, then what the
    config decides, then ``overrides`` (tests' short timeouts, a run's pipelines)."""
    crawl = config.crawl
    paced = crawl.download_delay > 0
    settings = default_settings()
    settings.update(
        {
            "USER_AGENT": user_agent(config),
            "ROBOTSTXT_OBEY": crawl.obey_robots,
            "CONCURRENT_REQUESTS": max(32, crawl.concurrent_per_host * 8),
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_host,
            "MEDIAMON_PLATFORM_CONCURRENCY": crawl.platform_concurrency,
            "MEDIAMON_BLOG_PLATFORMS": [p.strip().lower() for p in crawl.blog_platforms],
            "MEDIAMON_PLATFORM_RATE": crawl.platform_rate if paced else 0.0,
            # Queue mode: the platform limits (and robots.txt) are the fleet's, in Redis.
            "MEDIAMON_QUEUE_URL": config.queue.url,
            "MEDIAMON_QUEUE_PREFIX": config.queue.prefix,
            "MEDIAMON_ROBOTS_CACHE_SECONDS": crawl.robots_cache_seconds,
            "DOWNLOAD_DELAY": crawl.download_delay,
            "DOWNLOAD_DELAY_JITTER": 0.5 if paced else 0.0,
            # download_delay = 0 means a local test web: no pacing at all, AutoThrottle included.
            "AUTOTHROTTLE_ENABLED": paced,
            "AUTOTHROTTLE_START_DELAY": max(1.0, crawl.download_delay),
            "AUTOTHROTTLE_TARGET_CONCURRENCY": float(min(2, crawl.concurrent_per_host)),
            "DOWNLOAD_TIMEOUT": crawl.timeout,
            "DNS_TIMEOUT": crawl.timeout,
            "DOWNLOAD_MAXSIZE": crawl.max_body_bytes,
            "REDIRECT_MAX_TIMES": crawl.max_redirects,
            "MEDIAMON_RESOLVE": dict(crawl.resolve),
            "MEDIAMON_ALLOW_HOSTS": allowed_hosts(config),
            # Proxies only from [crawl] proxy, checked by the guard first (fetching.proxy).
            "HTTPPROXY_ENABLED": bool(crawl.proxy),
            "MEDIAMON_PROXY": crawl.proxy,
            # A run reports through its own report and crawl_runs, not Scrapy's periodic logs.
            "LOG_LEVEL": log_level,
            "LOGSTATS_INTERVAL": 0,
            "STATS_DUMP": False,
            "MEMUSAGE_ENABLED": False,
        }
    )
    settings.update(overrides or {})
    return settings
