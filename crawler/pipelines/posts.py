"""The post inventory's pipeline: the only inventory code that writes to storage.

Each ``SiteInventory`` is stored in one transaction (``crawler.storage.inventory``) and
added to the run's report; each ``RouteRead`` advances the progress bar. A failure to store
one site costs that site only and is reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy.engine import Engine

from crawler.pipelines.shared import shared_setting
from crawler.posts.model import RouteRead, SiteInventory
from crawler.posts.report import SiteLine, SyncReport
from crawler.storage.db import session_scope
from crawler.storage.inventory import record_inventory

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SYNC_SETTING = "MEDIAMON_POSTS_SYNC"
Progress = Callable[[str, str], None]


@dataclass
class SyncContext:
    """What the pipeline needs from its run (reached through ``SYNC_SETTING``)."""

    engine: Engine
    org: str
    now: datetime
    report: SyncReport
    progress: Progress | None = None


class PostInventoryPipeline:
    """See the module docstring."""

    def __init__(self, context: SyncContext) -> None:
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(shared_setting(crawler.settings, SYNC_SETTING, SyncContext))

    def process_item(self, item: Any) -> Any:
        ctx = self.context
        if isinstance(item, RouteRead):
            if ctx.progress is not None:
                tally = item.tally
                ctx.progress(f"{item.site_url} {tally.route}", f"{tally.posts} posts")
            return item
        if not isinstance(item, SiteInventory):
            return item
        task = item.task
        line = SiteLine(
            task.site_url,
            posts=len(item.posts),
            routes=[t.as_json() for t in item.tallies],
            notes=list(item.notes),
        )
        try:
            with session_scope(ctx.engine) as session:
                line.new = record_inventory(
                    session,
                    ctx.org,
                    task.site_url,
                    task.platform,
                    item.posts,
                    item.tallies,
                    ctx.now,
                )
        except Exception as exc:  # one site's failure to store costs that site only
            logger.exception("storing the inventory of %s failed", task.site_url)
            line.notes.append(f"not stored: {type(exc).__name__}: {exc}"[:300])
            ctx.report.exit_status = 1
            ctx.report.error = ctx.report.error or f"{task.site_url}: not stored"
        ctx.report.lines.append(line)
        return item
