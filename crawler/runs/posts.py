"""Run a post inventory sync: every post of every one of our sites, from every route.

``run_posts_sync`` reads which posts are already stored (their pages are not fetched again),
runs ``PostInventorySpider`` over the config's ``organisation.sites`` in this process, and
returns a ``SyncReport``; the run is recorded in ``crawl_runs`` (job ``posts``).
``sites_to_sync`` says which sites were never synced: the first ``mediamon linkbacks`` of a
new site takes its inventory on its own before harvesting (#16).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from crawler import clock
from crawler.config import Config
from crawler.pipelines.posts import SYNC_SETTING, Progress, SyncContext
from crawler.pipelines.shared import Shared
from crawler.posts.model import SiteTask
from crawler.posts.report import SyncReport
from crawler.runs.linkback_crawl import PIPELINE_ORDER, linkback_settings
from crawler.runs.process import run_spider
from crawler.runs.record import RunRecord
from crawler.storage.db import engine_for, session_scope
from crawler.storage.feeds import host_blocks
from crawler.storage.inventory import inventoried_sites, known_post_keys

__all__ = ["run_posts_sync", "site_tasks", "sites_to_sync"]

PIPELINE = "crawler.pipelines.posts.PostInventoryPipeline"


def site_tasks(config: Config) -> list[SiteTask]:
    """One task per own site of the config."""
    return [
        SiteTask(site_url=str(s.url), platform=s.platform.value, feed_url=s.feed or "")
        for s in config.organisation.sites
    ]


def sites_to_sync(config: Config, engine: Engine) -> list[str]:
    """The own sites whose inventory was never taken."""
    with session_scope(engine) as session:
        done = inventoried_sites(session, config.organisation.name)
    return [t.site_url for t in site_tasks(config) if t.site_url not in done]


def run_posts_sync(
    config: Config,
    database: str | Engine,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
    run_id: int | None = None,
) -> SyncReport:
    """Take the inventory of every own site (posts published since ``since``, or all)."""
    with engine_for(database) as engine:
        now = now or clock.now()
        org = config.organisation.name
        report = SyncReport()
        with session_scope(engine) as session:
            known = known_post_keys(session, org)
            blocked = host_blocks(session, now)
        tasks = site_tasks(config)
        context = SyncContext(engine, org, now, report, progress)
        record = RunRecord.open(engine, "posts", now, run_id, org)

        def work() -> None:
            if not tasks:
                report.exit_status, report.error = 2, "no [[organisation.sites]] in the config"
                return
            from crawler.spiders.posts import PostInventorySpider

            crawl_settings = linkback_settings(config, blocked, settings or {}, log_level)
            crawl_settings["ITEM_PIPELINES"] = {PIPELINE: PIPELINE_ORDER}
            crawl_settings[SYNC_SETTING] = Shared(context)
            crawl_settings.update(record.clock.settings())
            run_spider(
                crawl_settings,
                PostInventorySpider,
                {
                    "sites": tasks,
                    "wpcom_api": config.linkbacks.wpcom_api_base,
                    "since": since,
                    "known": known,
                },
                log_level=crawl_settings["LOG_LEVEL"],
            )

        record.around(report, work)
        return report
