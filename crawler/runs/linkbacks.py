"""Run the linkback jobs: harvest, re-check, verify receipts, and endpoint discovery.

Each ``run_*`` function reads what is due from storage, builds plain tasks, runs one Scrapy
``CrawlerProcess`` in the *current* process (a reactor starts once per process: the CLI is a
fresh process each time) and returns a report with ``as_stats()``. The scheduler, the tests
and the benchmarks run them in a child process with a time limit through
``scheduler.runner``, so they can run any number of them. Every run is recorded in
``crawl_runs`` (jobs ``harvest``, ``recheck``, ``verify``). Each takes a database URL (an
engine for the call, disposed at its end) or the caller's engine (used, never disposed: a
process keeps one engine).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler import clock
from crawler.clock import CrawlClock
from crawler.config import Config
from crawler.domain import LINKBACK_KINDS, MentionKind, ReceiptState
from crawler.harvest.model import Blocklist, PageEndpoints, PostTask, ReceiptInfo, SourceTask
from crawler.harvest.policy import SWEEP_DAYS, harvest_due
from crawler.harvest.report import HarvestReport, RecheckReport, VerifyReport
from crawler.matching.urls import canonicalize_url
from crawler.pipelines.linkbacks import CONTEXT_SETTING, Progress, RunContext
from crawler.pipelines.shared import Shared
from crawler.runs.linkback_crawl import PIPELINE_ORDER, crawl, linkback_settings
from crawler.runs.prepared import crawl_prepared
from crawler.runs.process import INTERRUPTED, interrupted
from crawler.runs.record import RunRecord
from crawler.storage.db import engine_for, session_scope
from crawler.storage.feeds import host_blocks
from crawler.storage.linkbacks import (
    HarvestPost,
    checked_sources,
    due_rechecks,
    harvest_posts,
)
from crawler.storage.mentions import retire_superseded_links
from crawler.storage.receipts import blocked as stored_blocks
from crawler.storage.receipts import due_receipts

__all__ = [
    "PreparedHarvest",
    "find_posts",
    "prepare_harvest",
    "run_check",
    "run_harvest",
    "run_recheck",
    "run_verify",
    "select_posts",
]

HARVEST_PIPELINE = "crawler.pipelines.linkbacks.HarvestPipeline"
RECHECK_KINDS = tuple(k for k in LINKBACK_KINDS if k is not MentionKind.COMMENT)
_Report = HarvestReport | RecheckReport | VerifyReport


def _canonical(url: str) -> str:
    try:
        return canonicalize_url(url.strip())
    except Exception:  # a string that is no URL matches no post
        return url.strip()


def find_posts(
    session: Session, org: str, urls: Sequence[str]
) -> tuple[list[HarvestPost], list[str]]:
    """Our stored posts for the given URLs (any spelling), and the URLs that are not ours."""
    wanted = {url: _canonical(url) for url in urls}
    posts = harvest_posts(session, org, sorted(set(wanted.values())))
    known = {p.canonical_url for p in posts}
    return posts, [url for url, canonical in wanted.items() if canonical not in known]


def select_posts(
    posts: Sequence[HarvestPost],
    now: datetime,
    recent_days: int,
    *,
    sweep_days: int = SWEEP_DAYS,
    all_posts: bool = False,
) -> list[HarvestPost]:
    """The posts that are due (``crawler.harvest.policy.harvest_due``: never harvested, then
    by age, then older ones on the slow sweep); all recent posts with ``all_posts``."""
    horizon = now - timedelta(days=recent_days)
    out = []
    for post in posts:
        born = post.published_at or post.created_at
        if all_posts:
            if born >= horizon:
                out.append(post)
        elif harvest_due(
            born,
            post.last_harvested_at,
            now,
            recent_days,
            key=post.canonical_url,
            sweep_days=sweep_days,
        ):
            out.append(post)
    return out


def _post_task(post: HarvestPost, checked: set[str]) -> PostTask:
    return PostTask(
        last_harvested_at=post.last_harvested_at,
        post_id=post.id,
        url=post.url,
        canonical_url=post.canonical_url,
        title=post.title,
        wp_post_id=post.wp_post_id,
        platform=post.platform,
        site_url=post.site_url,
        comment_feed_url=post.comment_feed_url,
        checked=frozenset(checked),
        first_harvest=post.last_harvested_at is None,
    )


def _run(
    job: str,
    engine: Engine,
    report: _Report,
    run_id: int | None,
    now: datetime,
    work: Callable[[], None],
    org: str = "",
) -> None:
    """Record the run around ``work()``; a crash is recorded, then raised."""
    RunRecord.open(engine, job, now, run_id, org).around(report, work)


@dataclass
class PreparedHarvest:
    """A harvest ready to crawl: its row, its pipeline's context and its posts' tasks."""

    config: Config
    engine: Engine
    record: RunRecord
    context: RunContext
    tasks: list[PostTask]
    blocked: Mapping[str, datetime]
    blocklist: Blocklist
    report: HarvestReport
    watch: list[PostTask] = field(default_factory=list)
    """Posts not due: pulled in when the site-wide comment feed shows them a newer comment."""

    def has_work(self) -> bool:
        """Due posts, or watched ones the site-wide comment feed may pull in."""
        return bool(self.tasks or self.watch)

    def spider_class(self) -> type[Any]:
        from crawler.spiders.linkbacks import LinkbackSpider

        return LinkbackSpider

    def crawl_settings(self, overrides: Mapping[str, Any], log_level: str) -> dict[str, Any]:
        """The Scrapy settings of this harvest: the linkback runs', its pipeline and context."""
        settings = linkback_settings(self.config, self.blocked, overrides, log_level)
        settings["ITEM_PIPELINES"] = {HARVEST_PIPELINE: PIPELINE_ORDER}
        settings[CONTEXT_SETTING] = Shared(self.context)
        return settings

    def spider_arguments(self) -> dict[str, Any]:
        """What ``LinkbackSpider`` is given: the posts, our authors, the API base, blocks."""
        return {
            "tasks": self.tasks,
            "org_authors": self.config.organisation.authors,
            "wpcom_api": self.config.linkbacks.wpcom_api_base,
            "blocklist": self.blocklist,
            "watch": self.watch,
        }

    def crawled(self, stats: Mapping[str, Any]) -> None:
        """After the crawl: a page the crawler stored as a plain link and the harvest now
        found as a pingback (or reblog...) is one find, under the stronger kind, as after
        polls and crawls. A harvest stopped by SIGINT/SIGTERM is recorded as interrupted
        (each post's finds are stored with its "harvested" mark, so the posts it did not
        finish are harvested next run)."""
        with session_scope(self.engine) as session:
            retire_superseded_links(session, self.context.org)
        if interrupted(stats) and not self.report.exit_status:
            self.report.exit_status = INTERRUPTED
            self.report.error = f"interrupted after {len(self.report.lines)} posts"


def prepare_harvest(
    config: Config,
    engine: Engine,
    *,
    post_urls: Sequence[str] = (),
    all_posts: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    run_id: int | None = None,
) -> PreparedHarvest:
    """Pick the posts to harvest, build their tasks and the pipeline's context, and open
    the run's row (see ``run_harvest`` for the parameters)."""
    now = now or clock.now()
    org = config.organisation.name
    report = HarvestReport()
    watched: list[HarvestPost] = []
    with session_scope(engine) as session:
        if post_urls:
            posts, unknown = find_posts(session, org, post_urls)
            if unknown:
                report.exit_status = 2
                report.error = "not one of our posts: " + ", ".join(unknown)
        else:
            every = harvest_posts(session, org)
            posts = select_posts(
                every,
                now,
                config.linkbacks.recent_days,
                sweep_days=config.linkbacks.sweep_days,
                all_posts=all_posts,
            )
            due = {p.id for p in posts}
            watched = [p for p in every if p.id not in due and p.last_harvested_at is not None]
        checked = checked_sources(session, org, [p.canonical_url for p in (*posts, *watched)])
        blocked = host_blocks(session, now)
        domains, urls = stored_blocks(session)
    blocklist = Blocklist.of(
        [*config.receiver.block_domains, *domains], [*config.receiver.block_urls, *urls]
    )
    tasks = [_post_task(p, checked.get(p.canonical_url, set())) for p in posts]
    watch = [_post_task(p, checked.get(p.canonical_url, set())) for p in watched]
    context = RunContext(
        engine,
        org,
        now,
        config.linkbacks.recheck_after_days,
        report,
        progress,
        tz=config.organisation.tz,
    )
    record = RunRecord.open(engine, "harvest", now, run_id, config.organisation.name)
    report.run_id = record.run_id
    return PreparedHarvest(
        config, engine, record, context, tasks, blocked, blocklist, report, watch
    )


def run_harvest(
    config: Config,
    database: str | Engine,
    *,
    post_urls: Sequence[str] = (),
    all_posts: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
    run_id: int | None = None,
) -> HarvestReport:
    """Harvest the due recent posts (every recent post with ``all_posts``, or those named).

    A named URL that is not one of our stored posts is reported (``error``, exit status 2);
    the others are still harvested.
    """
    with engine_for(database) as engine:
        harvest = prepare_harvest(
            config,
            engine,
            post_urls=post_urls,
            all_posts=all_posts,
            now=now,
            progress=progress,
            run_id=run_id,
        )
        return _crawl_harvest(harvest, settings or {}, log_level)


def _crawl_harvest(
    harvest: PreparedHarvest, settings: Mapping[str, Any], log_level: str
) -> HarvestReport:
    """Crawl a prepared harvest in this process and finish its row."""
    crawl_prepared([harvest], settings, log_level)
    return harvest.report


def _source_run(
    job: str,
    config: Config,
    engine: Engine,
    tasks: list[SourceTask],
    blocked: Mapping[str, datetime],
    context: RunContext,
    settings: Mapping[str, Any] | None,
    log_level: str,
    run_id: int | None,
) -> None:
    def work() -> None:
        if not tasks:
            return
        from crawler.spiders.linkback_sources import SourceCheckSpider

        pipeline = "RecheckPipeline" if job == "recheck" else "VerifyPipeline"
        crawl(
            {
                **linkback_settings(config, blocked, settings or {}, log_level),
                **CrawlClock.starting_at(context.now).settings(),
            },
            SourceCheckSpider,
            {"tasks": tasks},
            f"crawler.pipelines.linkbacks.{pipeline}",
            context,
        )

    _run(job, engine, context.report, run_id, context.now, work, config.organisation.name)


def run_recheck(
    config: Config,
    database: str | Engine,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
    run_id: int | None = None,
) -> RecheckReport:
    """Fetch again the source of every linkback whose re-check is due (410 or link gone:
    deleted; transient error: kept and retried)."""
    with engine_for(database) as engine:
        now = now or clock.now()
        org = config.organisation.name
        schedule = config.linkbacks.recheck_after_days
        first = min((d for d in schedule if d > 0), default=None)
        report = RecheckReport()
        with session_scope(engine) as session:
            rows = due_rechecks(
                session,
                org,
                now,
                kinds=RECHECK_KINDS,
                unscheduled_before=now - timedelta(days=first) if first is not None else None,
            )
            blocked = host_blocks(session, now)
        tasks = [
            SourceTask(
                ref=r.id,
                url=r.url,
                target=r.target,
                kind=r.kind,
                checks=r.checks,
                first_seen_at=r.first_seen_at,
            )
            for r in rows
        ]
        context = RunContext(engine, org, now, schedule, report, progress)
        _source_run("recheck", config, engine, tasks, blocked, context, settings, log_level, run_id)
        return report


def run_verify(
    config: Config,
    database: str | Engine,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
    run_id: int | None = None,
) -> VerifyReport:
    """Verify every due receipt: fetch its source, decide, settle, record or delete."""
    with engine_for(database) as engine:
        now = now or clock.now()
        org = config.organisation.name
        report = VerifyReport()
        with session_scope(engine) as session:
            tasks = [
                SourceTask(
                    ref=r.id,
                    url=r.source,
                    target=r.target,
                    kind=r.protocol,
                    receipt=ReceiptInfo(r.protocol, r.state, r.target, dict(r.payload or {})),
                )
                for r in due_receipts(session, now, org=org)
                if r.state == ReceiptState.QUEUED.value
            ]
            blocked = host_blocks(session, now)
        schedule = config.linkbacks.recheck_after_days
        context = RunContext(engine, org, now, schedule, report, progress)
        _source_run("verify", config, engine, tasks, blocked, context, settings, log_level, run_id)
        return report


def run_check(
    config: Config,
    urls: Sequence[str],
    *,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
) -> list[PageEndpoints]:
    """The endpoints each page advertises (one fetch per URL, redirects followed, address
    guard on). Needs no database."""
    from crawler.spiders.linkback_sources import EndpointSpider

    items: list[Any] = []
    crawl(
        linkback_settings(config, {}, settings or {}, log_level),
        EndpointSpider,
        {"urls": list(urls)},
        None,
        None,
        items,
    )
    found = {item.url: item for item in items if isinstance(item, PageEndpoints)}
    return [found.get(url, PageEndpoints(url, error="not fetched")) for url in urls]
