"""A crawl that cannot start fails loudly instead of ending with nothing crawled and exit 0."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
from crawler.fetching.settings import default_settings
from crawler.runs.process import CrawlFailed, run_spider
from crawler.spiders.feeds import FeedSpider

settings = default_settings()
settings["ITEM_PIPELINES"] = {"crawler.pipelines.feeds.NoSuchPipeline": 500}
settings["MEDIAMON_POLL"] = "a run is around it (not `scrapy crawl`)"
try:
    run_spider(settings, FeedSpider, {"tasks": []}, log_level="CRITICAL")
except CrawlFailed as exc:
    print(exc)
    raise SystemExit(3)
"""


def test_a_pipeline_that_does_not_load_fails_the_crawl() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 3, done.stderr[-2000:]
    assert done.stdout.startswith("the crawl could not run: NameError:"), done.stdout
    assert "NoSuchPipeline" in done.stdout
