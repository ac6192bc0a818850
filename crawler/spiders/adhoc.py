"""The ad-hoc spider: ``mediamon crawl URL... --depth N``, fetched now whatever is stored.

Its start URLs are always fetched and, when the crawl has no depth, always read as articles
(the user asked about *that* page). With a depth, same-site links are followed from every
page, articles included, up to N hops; a page reached by a link is read as an article when its
metadata says so and as a section otherwise, as in a site crawl. Robots.txt, politeness and
the address guard apply exactly as for scheduled crawls: an address the guard refuses is
reported as such, not fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from crawler.spiders.site import SiteSpider


class AdhocSpider(SiteSpider):
    """See the module docstring. ``tasks`` hold one task per start URL."""

    name = "adhoc"
    follow_articles = True

    async def start(self) -> AsyncIterator[Any]:
        for task in self.tasks:
            for url in task.start:
                yield self.page_request(task, url, 0, listing=task.depth > 0)
