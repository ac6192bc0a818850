"""Scrapy settings: Scrapy's entry point into mediamon (``scrapy.cfg`` names this module).

The one module of default settings. Every mediamon run starts from these and adds what the
organisation's config decides (``crawler.fetching.settings.scrapy_settings``: user agent,
robots.txt, per-host concurrency and delay, limits, the address guard's host map and
allow-list) at a higher priority; the ``scrapy`` command line uses them as they are.
"""

from __future__ import annotations

from scrapy.settings import default_settings as _scrapy

BOT_NAME = "mediamon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
REFERER_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Scrapy imports every component its *_BASE settings name, even one switched off (it loads
# the class to learn it is off, and also to normalise a key set to None in EXTENSIONS), so the
# components mediamon never runs are left out of the base lists themselves: the remote
# control (it imports aiohttp), the telnet console (twisted.conch), the memory debugger, the
# Referer middleware (``REFERER_ENABLED`` is off: never sent), cookies, meta refresh and the
# HTTP cache (all off above), HTTP auth (mediamon sends no credentials). Less start-up for
# every crawl (issue #14); Scrapy's own lists are the source, so its other components stay.


def _runnable(base: dict[str, int]) -> dict[str, int]:
    """Scrapy's base list ``base`` without the components mediamon never runs."""
    never = {
        "scrapy.extensions.telnet.TelnetConsole",
        "scrapy.extensions.remote_control.RemoteControl",
        "scrapy.extensions.memdebug.MemoryDebugger",
        "scrapy.spidermiddlewares.referer.RefererMiddleware",
        "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware",
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
        "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
        "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    }
    return {name: order for name, order in base.items() if name not in never}


EXTENSIONS_BASE = _runnable(_scrapy.EXTENSIONS_BASE)
SPIDER_MIDDLEWARES_BASE = _runnable(_scrapy.SPIDER_MIDDLEWARES_BASE)
DOWNLOADER_MIDDLEWARES_BASE = _runnable(_scrapy.DOWNLOADER_MIDDLEWARES_BASE)
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Items per response processed in parallel: our callbacks yield one item and the storage
# pipeline is synchronous, and Scrapy starts this many tasks per response.
CONCURRENT_ITEMS = 4
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
# Statuses worth one immediate retry. 429 and 503 are not here: they carry Retry-After and are
# honoured by the schedule (and the host block), not hammered again.
RETRY_HTTP_CODES = [500, 502, 504, 522, 524, 408]
URLLENGTH_LIMIT = 2048
HTTPCACHE_ENABLED = False
# The address guard: one per crawler, in its download handler (crawler.fetching.handler); the
# reactor's resolver only dispatches to the guard of the crawler opening a connection. Only
# http(s) is ever fetched: a URL from outside (a receiver source, a discovered link) must never
# reach file:, data:, s3: or ftp: handlers.
TWISTED_DNS_RESOLVER = "crawler.fetching.resolver.DispatchingResolver"
DOWNLOAD_HANDLERS = {
    "http": "crawler.fetching.handler.GuardedDownloadHandler",
    "https": "crawler.fetching.handler.GuardedDownloadHandler",
    "file": None,
    "data": None,
    "ftp": None,
    "s3": None,
}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
HTTPPROXY_ENABLED = False  # never proxies from the environment: crawler.fetching.proxy
DOWNLOADER_MIDDLEWARES = {
    # a feed another organisation fetched a moment ago is answered from storage (#16): first
    "crawler.fetching.shared_fetch.SharedFetchMiddleware": 80,
    "crawler.middlewares.HostBlockMiddleware": 90,
    "crawler.middlewares.GzipLabelMiddleware": 595,  # before HttpCompression (590)
    "crawler.fetching.proxy.ProxyGuardMiddleware": 740,
    "crawler.middlewares.HostMetricsMiddleware": 860,
    "crawler.fetching.platforms.PlatformCapMiddleware": 950,  # last before the download itself
    # robots.txt shared by the fleet in queue mode (#19), Scrapy's own cache otherwise
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.fetching.robots_cache.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.NoRefererRedirectMiddleware": 600,
}
MEDIAMON_PLATFORM_CONCURRENCY = 8
MEDIAMON_PLATFORM_RATE = 0.0
MEDIAMON_ROBOTS_CACHE_SECONDS = 86400.0
MEDIAMON_QUEUE_URL = ""
MEDIAMON_QUEUE_PREFIX = "mediamon"
MEDIAMON_BLOG_PLATFORMS: list[str] = []
FEED_EXPORT_ENCODING = "utf-8"
# `scrapy crawl feeds|site|linkbacks` (no mediamon run around it): how the runs layer
# prepares one (the spiders load these by name: they never import the runs layer).
MEDIAMON_STANDALONE = {
    "check": "crawler.runs.standalone.check_environment",
    "feeds": "crawler.runs.standalone.prepare_feeds",
    "site": "crawler.runs.standalone.prepare_site",
    "linkbacks": "crawler.runs.standalone.prepare_linkbacks",
}
LOG_LEVEL = "INFO"
