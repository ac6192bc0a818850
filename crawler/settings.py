"""Scrapy settings: Scrapy's entry point into mediamon (``scrapy.cfg`` names this module).

Only defaults live here, for the ``scrapy`` command line. Every mediamon run builds its settings
from the organisation's config with ``crawler.fetching.settings.scrapy_settings`` (user agent,
limits, address guard, allowed hosts), which starts from the same choices.
"""

from __future__ import annotations

BOT_NAME = "mediamon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
REFERER_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
REDIRECT_MAX_TIMES = 5
METAREFRESH_ENABLED = False
RETRY_TIMES = 1
RETRY_HTTP_CODES = [500, 502, 504, 522, 524, 408]
URLLENGTH_LIMIT = 2048
HTTPCACHE_ENABLED = False
TWISTED_DNS_RESOLVER = "crawler.fetching.resolver.GuardedResolver"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.HostBlockMiddleware": 90,
    "crawler.middlewares.HostMetricsMiddleware": 860,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.NoRefererRedirectMiddleware": 600,
}
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
