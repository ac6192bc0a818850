"""What a crawl process imports: not what it never runs (issue #14's start-up CPU).

Scrapy imports every component its base lists name, even a disabled one; the config loader,
the fetching middlewares and story clustering used to import apprise, redis and datasketch
(scipy) at module level. Each of those cost every ``mediamon crawl`` 0.1-0.4 CPU-s at start.
The crawl here runs Scrapy's whole start-up (extensions, both middleware chains, the
download handlers) in a fresh interpreter, then lists which of them got imported."""

from __future__ import annotations

import subprocess
import sys

NEVER_IMPORTED = (
    "aiohttp",  # scrapy's remote control extension
    "twisted.conch",  # scrapy's telnet console
    "redis",  # queue mode only: the shared robots.txt store and platform permits
    "apprise",  # only to check a config's alert URLs, and to send alerts
    "datasketch",  # its MinHash is reproduced in crawler.press.fingerprint
    "scipy",
    "alembic",  # the schema check reads the version table itself (crawler.storage.migrate)
    "mako",
)

SCRIPT = f"""
import sys

import crawler.config
import crawler.extract
import crawler.storage.migrate
import crawler.press.clustering
from crawler.fetching.settings import default_settings
from crawler.runs.process import run_spider
from crawler.spiders.feeds import FeedSpider

settings = default_settings()
settings["ITEM_PIPELINES"] = {{}}
settings["MEDIAMON_POLL"] = "a run is around it (not `scrapy crawl`)"
run_spider(settings, FeedSpider, {{"tasks": []}}, log_level="CRITICAL")
print("ran")
for name in {NEVER_IMPORTED!r}:
    if name in sys.modules:
        print(name)
"""


def test_a_crawl_imports_none_of_what_it_never_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.split()
    assert lines[0] == "ran"
    assert lines[1:] == []
