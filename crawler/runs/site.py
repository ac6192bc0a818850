"""Run a site crawl or an ad-hoc crawl.

``run_site_crawl`` crawls the sources that have no feed (or those named) through their
sitemaps and section pages, within each source's ``crawl_depth`` and ``max_pages``, and
records the run in ``crawl_runs`` (job ``crawl``). ``run_adhoc_crawl`` fetches the given URLs
now (``mediamon crawl``), with the config's queries or its own, storing what it finds unless
told not to. Both run Scrapy's ``CrawlerProcess`` in the current process, so call them once
per process (the CLI is a fresh process each time); the scheduler, tests and benchmarks run
a site crawl in a child process through ``scheduler.runner``, the way they poll.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from crawler import clock
from crawler.config import Config
from crawler.domain import FoundVia, MentionKind, SourceType
from crawler.fetching.settings import scrapy_settings
from crawler.pipelines.pages import CONTEXT_SETTING, CrawlContext
from crawler.pipelines.shared import Shared
from crawler.press.links import PostLinks
from crawler.press.persist import StageHook, config_queries, own_site_urls, stage_hook
from crawler.press.report import ADHOC_JOB, CrawlReport
from crawler.press.stage import PressStage
from crawler.runs import UnknownSource
from crawler.runs.prepared import crawl_prepared
from crawler.runs.process import INTERRUPTED, interrupted, run_spider
from crawler.runs.record import RunRecord
from crawler.spiders.items import SiteTask
from crawler.storage.db import engine_for, session_scope
from crawler.storage.feeds import host_blocks, site_sources
from crawler.storage.mentions import retire_superseded_links
from crawler.storage.models import SourceRow
from crawler.storage.sources import sync_sources

JOB = "crawl"
PIPELINE = "crawler.pipelines.pages.PageStoragePipeline"
#: An ad-hoc crawl with a depth never fetches more than this many pages.
ADHOC_MAX_PAGES = 200


def site_home(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def site_task(row: SourceRow, config: Config) -> SiteTask:
    """The crawl of one source: its discovered sitemaps, its configured depth and budget."""
    configured = {s.name: s for s in config.sources}.get(row.name)
    sitemaps = tuple(
        str(d["url"])
        for d in row.discovered or []
        if isinstance(d, dict) and d.get("type") == "sitemap" and d.get("url")
    )
    home = row.configured_url or row.url
    if row.type != SourceType.SITE.value:
        home = site_home(home)
    return SiteTask(
        key=row.name,
        home=home,
        source_id=row.id,
        name=row.name,
        kind=row.kind,
        language=row.language or "",
        sitemaps=sitemaps,
        depth=configured.crawl_depth if configured else 1,
        max_pages=configured.max_pages if configured else 200,
    )


def _peak_rss_mb() -> float:
    """Peak resident memory of this process. Linux's VmHWM first: ``ru_maxrss`` survives
    exec, so a spawned child would also count the parent's memory it briefly shared."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _page_settings(
    config: Config,
    context: CrawlContext,
    overrides: Mapping[str, Any],
    log_level: str,
    blocked: Mapping[str, datetime] | None = None,
) -> dict[str, Any]:
    """The Scrapy settings of a page crawl: the config's, the storage pipeline and context."""
    settings = scrapy_settings(config, log_level=log_level, overrides=overrides)
    settings["ITEM_PIPELINES"] = {PIPELINE: 500}
    settings[CONTEXT_SETTING] = Shared(context)
    settings["MEDIAMON_BLOCKED_HOSTS"] = {h: t.isoformat() for h, t in (blocked or {}).items()}
    return settings


def _crawl(
    config: Config,
    context: CrawlContext,
    spider_kwargs: Mapping[str, Any],
    overrides: Mapping[str, Any],
    log_level: str,
) -> Mapping[str, Any]:
    """Run an ad-hoc crawl (a site crawl runs through ``PreparedSite``)."""
    from crawler.spiders.adhoc import AdhocSpider

    stats = run_spider(
        _page_settings(config, context, overrides, log_level),
        AdhocSpider,
        {"max_items": config.crawl.max_feed_items, **spider_kwargs},
        log_level=log_level,
    )
    context.report.hosts = dict(stats.get("mediamon/hosts", {}))
    return stats


@dataclass
class PreparedSite:
    """A site crawl ready to run: its row, its pipeline's context and its tasks."""

    config: Config
    engine: Engine
    record: RunRecord
    context: CrawlContext
    tasks: list[SiteTask]
    blocked: Mapping[str, datetime]
    link_hosts: frozenset[str]
    fetch_only: bool = False
    started: float = field(default_factory=time.perf_counter)

    @property
    def report(self) -> CrawlReport:
        return self.context.report

    def has_work(self) -> bool:
        return bool(self.tasks)

    def spider_class(self) -> type[Any]:
        from crawler.spiders.site import SiteSpider

        return SiteSpider

    def crawl_settings(self, overrides: Mapping[str, Any], log_level: str) -> dict[str, Any]:
        """The Scrapy settings of this crawl: the config's, its storage pipeline and context."""
        return _page_settings(self.config, self.context, overrides, log_level, self.blocked)

    def spider_arguments(self) -> dict[str, Any]:
        """What ``SiteSpider`` is given: the tasks, the hosts of our links, the item cap."""
        return {
            "max_items": self.config.crawl.max_feed_items,
            "tasks": self.tasks,
            "link_hosts": self.link_hosts,
            "fetch_only": self.fetch_only,
        }

    def crawled(self, stats: Mapping[str, Any]) -> None:
        """After the crawl: the per-host figures, time and memory, superseded links retired."""
        self.report.hosts = dict(stats.get("mediamon/hosts", {}))
        self.report.seconds = round(time.perf_counter() - self.started, 3)
        with session_scope(self.engine) as session:
            retire_superseded_links(session, self.context.org)
        self.report.max_rss_mb = _peak_rss_mb()
        if interrupted(stats) and not self.report.exit_status:
            self.report.exit_status = INTERRUPTED
            self.report.error = f"interrupted after {self.report.pages} pages"


def prepare_site(
    config: Config,
    engine: Engine,
    *,
    now: datetime | None = None,
    source_names: Sequence[str] = (),
    fetch_only: bool = False,
    run_id: int | None = None,
) -> PreparedSite:
    """Register the config's sources, open the run's row, pick the sources without feeds (or
    those named) and build the tasks and the pipeline's context (see ``run_site_crawl``)."""
    now = now or clock.now()
    org = config.organisation.name
    report = CrawlReport(job=JOB)
    with session_scope(engine) as session:
        sync_sources(session, config, now)
    with session_scope(engine) as session:
        rows = site_sources(session, org, source_names)
    missing = sorted(set(source_names) - {row.name for row in rows})
    if missing:  # the user's mistake: refused before a row exists, never a crawl error
        raise UnknownSource("unknown source: " + ", ".join(missing))
    record = RunRecord.open(engine, JOB, now, run_id, org)
    with session_scope(engine) as session:
        rows = site_sources(session, org, source_names)
        tasks = [site_task(row, config) for row in rows]
        blocked = host_blocks(session, now)
        hook = stage_hook(config, session)
    report.sources = len(tasks)
    report.run_id = record.run_id
    context = CrawlContext(org, hook, report, FoundVia.CRAWL, engine=engine)
    return PreparedSite(
        config, engine, record, context, tasks, blocked, hook.link_hosts(), fetch_only
    )


def run_site_crawl(
    config: Config,
    database: str | Engine,
    *,
    now: datetime | None = None,
    source_names: Sequence[str] = (),
    fetch_only: bool = False,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
    run_id: int | None = None,
) -> CrawlReport:
    """Crawl the sites of the sources without feeds (or the sources named) in this process.

    :param fetch_only: fetch the pages but neither extract, match nor store them (the
        benchmark's baseline).
    :param run_id: a ``crawl_runs`` row the caller started (and finishes): see ``runrecord``.
    :param database: a URL, or the caller's engine (used, not disposed: one per process).
    """
    with engine_for(database) as engine:
        crawl = prepare_site(
            config, engine, now=now, source_names=source_names, fetch_only=fetch_only, run_id=run_id
        )
        return _crawl_site(crawl, settings or {}, log_level)


def _crawl_site(crawl: PreparedSite, settings: Mapping[str, Any], log_level: str) -> CrawlReport:
    crawl_prepared([crawl], settings, log_level)
    return crawl.report


def adhoc_tasks(urls: Sequence[str], depth: int, kind: MentionKind) -> list[SiteTask]:
    """One task per start URL (each its own budget and same-site rule)."""
    pages = 1 if depth == 0 else ADHOC_MAX_PAGES
    return [
        SiteTask(
            key=f"adhoc:{url}",
            home=url,
            name="",
            kind=kind.value,
            depth=depth,
            max_pages=pages,
            start=(url,),
        )
        for url in urls
    ]


def run_adhoc_crawl(
    config: Config,
    database: str | Engine | None,
    urls: Sequence[str],
    *,
    depth: int = 0,
    queries: Mapping[str, str] | None = None,
    kind: MentionKind = MentionKind.PRESS,
    progress: Callable[[str, str], None] | None = None,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
    run_id: int | None = None,
    now: datetime | None = None,
) -> CrawlReport:
    """Fetch ``urls`` now (and same-site links up to ``depth`` hops) and match them.

    With ``database`` None nothing is written, not even the run; the mentions found are in
    ``report.found`` either way (CLI JSON objects). A caller's engine is used, not disposed.
    ``run_id``: the row a parent opened (a queue worker's child, #19), left for it to finish.
    """
    adhoc = _Adhoc(urls, depth, queries, kind, run_id, now)
    if database is None or database == "":  # an empty URL stores nothing, as before
        return _adhoc(config, None, adhoc, progress, settings, log_level)
    with engine_for(database) as engine:
        return _adhoc(config, engine, adhoc, progress, settings, log_level)


@dataclass(frozen=True)
class _Adhoc:
    """What an ad-hoc crawl was asked to do."""

    urls: Sequence[str]
    depth: int
    queries: Mapping[str, str] | None
    kind: MentionKind
    run_id: int | None
    now: datetime | None


def _adhoc(
    config: Config,
    engine: Engine | None,
    adhoc: _Adhoc,
    progress: Callable[[str, str], None] | None,
    settings: Mapping[str, Any] | None,
    log_level: str,
) -> CrawlReport:
    urls, depth, queries, kind = adhoc.urls, adhoc.depth, adhoc.queries, adhoc.kind
    report = CrawlReport(job=ADHOC_JOB, sources=len(urls))
    now = adhoc.now or clock.now()
    record: RunRecord | None = None
    if engine is not None:
        org = config.organisation.name
        record = RunRecord.open(engine, ADHOC_JOB, now, adhoc.run_id, org)
        with session_scope(engine) as session:
            hook = stage_hook(config, session, queries=queries, kind=kind)
    else:  # no database: no posts known, so links to them are not recognised
        wanted = dict(queries) if queries is not None else config_queries(config)
        posts = PostLinks((), own_site_urls(config))
        hook = StageHook(PressStage(config.organisation.name, wanted, posts, kind=kind))
    report.run_id = record.run_id if record is not None else None
    context = CrawlContext(
        config.organisation.name,
        hook,
        report,
        FoundVia.ADHOC,
        engine=engine,
        check_known=False,
        collect=True,
        progress=progress,
    )
    # depth 0: links only matter if they point at our posts or sites; with hops, all are
    # followed
    hosts = hook.link_hosts() if depth == 0 else None
    kwargs = {"tasks": adhoc_tasks(urls, depth, kind), "link_hosts": hosts}
    started = time.perf_counter()
    try:
        stats = _crawl(config, context, kwargs, settings or {}, log_level)
        report.seconds = round(time.perf_counter() - started, 3)
        if interrupted(stats):  # not a result: say so, whatever was found (#18)
            report.exit_status = INTERRUPTED
            report.error = f"interrupted after {report.pages} pages"
    except Exception as exc:
        report.exit_status, report.error = 1, f"{type(exc).__name__}: {exc}"
    if report.pages == 0 and not report.exit_status:
        report.exit_status = 3  # nothing could be done (README, "Exit codes")
        report.error = "nothing could be fetched"
    report.max_rss_mb = _peak_rss_mb()
    if record is not None:
        record.finish(report)
    return report
