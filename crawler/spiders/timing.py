"""A spider's "now": the clock of the run it belongs to.

A run puts its clock into its crawl's settings (``crawler.clock.OFFSET_SETTING``); a spider
asks here, so fetch times follow the run's (possibly simulated) time and two spiders of two
runs in one process never share a clock.
"""

from __future__ import annotations

from datetime import datetime

import scrapy

from crawler.clock import CrawlClock


def crawl_now(spider: scrapy.Spider) -> datetime:
    """The current time by the clock of ``spider``'s run (the wall clock for a spider built
    without a crawler, as unit tests of its callbacks do)."""
    settings = getattr(spider, "settings", None)
    return (CrawlClock.from_settings(settings) if settings is not None else CrawlClock()).now()
