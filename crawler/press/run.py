"""Run a site crawl or an ad-hoc crawl; ``run_crawl_in_child`` runs either in a child process.

``run_site_crawl`` crawls the sources that have no feed (or those named) through their
sitemaps and section pages, within each source's ``crawl_depth`` and ``max_pages``, and
records the run in ``crawl_runs`` (job ``crawl``). ``run_adhoc_crawl`` fetches the given URLs
now (``mediamon crawl``), with the config's queries or its own, storing what it finds unless
told not to. Both run Scrapy's ``CrawlerProcess`` in the current process, so call them once
per process (the CLI is a fresh process each time); the scheduler uses
``run_crawl_in_child`` — or ``python -m scheduler.child crawl`` — the way it polls.
"""

from __future__ import annotations

import gc
import json
import logging
import resource
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crawler import clock
from crawler.config import Config, load_config
from crawler.domain import FoundVia, MentionKind, SourceType
from crawler.fetching.settings import scrapy_settings
from crawler.press.links import PostLinks
from crawler.press.persist import StageHook, config_queries, own_site_urls, stage_hook
from crawler.press.pipeline import CONTEXT_SETTING, CrawlContext, register_context
from crawler.press.report import CrawlReport
from crawler.press.stage import PressStage
from crawler.spawned import run_spawned
from crawler.spiders.items import SiteTask
from crawler.storage.db import make_engine, session_scope
from crawler.storage.feeds import host_blocks, site_sources
from crawler.storage.mentions import retire_superseded_links
from crawler.storage.models import SourceRow
from crawler.storage.runs import finish_run, start_run
from crawler.storage.sources import sync_sources

JOB = "crawl"
ADHOC_JOB = "adhoc"
PIPELINE = "crawler.press.pipeline.PageStoragePipeline"
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


def _crawl(
    config: Config,
    spider_name: str,
    context: CrawlContext,
    spider_kwargs: Mapping[str, Any],
    overrides: Mapping[str, Any],
    log_level: str,
    blocked: Mapping[str, datetime] | None = None,
) -> None:
    # Imported here so that a parent that only starts children never loads a reactor.
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.adhoc import AdhocSpider
    from crawler.spiders.site import SiteSpider

    settings = scrapy_settings(config, log_level=log_level, overrides=overrides)
    settings["ITEM_PIPELINES"] = {PIPELINE: 500}
    settings[CONTEXT_SETTING] = register_context(context)
    settings["MEDIAMON_BLOCKED_HOSTS"] = {h: t.isoformat() for h, t in (blocked or {}).items()}
    settings["LOG_INSTALL_ROOT_HANDLER"] = False
    process = CrawlerProcess(settings)
    # Scrapy's logging setup resets its logger to DEBUG; the caller's level wins.
    logging.getLogger("scrapy").setLevel(getattr(logging, log_level.upper(), logging.WARNING))
    spider = AdhocSpider if spider_name == "adhoc" else SiteSpider
    crawler = process.create_crawler(spider)
    process.crawl(crawler, max_items=config.crawl.max_feed_items, **spider_kwargs)
    # Everything loaded so far (Scrapy, trafilatura, the compiled queries) lives as long as
    # the crawl: keep it out of the garbage collector's full passes.
    gc.freeze()
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    context.report.hosts = dict(stats.get("mediamon/hosts", {}))


def _finish(engine: Any, run_id: int, report: CrawlReport) -> None:
    with session_scope(engine) as session:
        finish_run(
            session,
            run_id,
            clock.now(),
            stats=report.stats(),
            exit_status=report.exit_status,
            error=report.error,
        )


def run_site_crawl(
    config: Config,
    db_url: str,
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
    :param run_id: an already started ``crawl_runs`` row to finish (``run_crawl_in_child``).
    """
    now = now or clock.now()
    engine = make_engine(db_url)
    org = config.organisation.name
    report = CrawlReport(job=JOB)
    with session_scope(engine) as session:
        sync_sources(session, config, now)
        if run_id is None:
            run_id = start_run(session, JOB, now)
        rows = site_sources(session, org, source_names)
        tasks = [site_task(row, config) for row in rows]
        blocked = host_blocks(session, now)
        hook = stage_hook(config, session)
    report.run_id = run_id
    report.sources = len(tasks)
    missing = sorted(set(source_names) - {row.name for row in rows})
    if missing:
        report.error, report.exit_status = "unknown source: " + ", ".join(missing), 2
    context = CrawlContext(org, hook, report, FoundVia.CRAWL, engine=engine)
    kwargs = {"tasks": tasks, "link_hosts": hook.link_hosts(), "fetch_only": fetch_only}
    started = time.perf_counter()
    try:
        if tasks:
            _crawl(config, "site", context, kwargs, settings or {}, log_level, blocked)
        report.seconds = round(time.perf_counter() - started, 3)
        with session_scope(engine) as session:
            retire_superseded_links(session, org)
    except Exception as exc:  # record the failed run, then let the caller see it
        report.exit_status, report.error = 1, f"{type(exc).__name__}: {exc}"
        _finish(engine, run_id, report)
        raise
    report.max_rss_mb = _peak_rss_mb()
    _finish(engine, run_id, report)
    engine.dispose()
    return report


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
    db_url: str | None,
    urls: Sequence[str],
    *,
    depth: int = 0,
    queries: Mapping[str, str] | None = None,
    kind: MentionKind = MentionKind.PRESS,
    progress: Callable[[str, str], None] | None = None,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
) -> CrawlReport:
    """Fetch ``urls`` now (and same-site links up to ``depth`` hops) and match them.

    With ``db_url`` None nothing is written, not even the run; the mentions found are in
    ``report.found`` either way (CLI JSON objects).
    """
    report = CrawlReport(job=ADHOC_JOB, sources=len(urls))
    engine = make_engine(db_url) if db_url else None
    now = clock.now()
    run_id: int | None = None
    if engine is not None:
        with session_scope(engine) as session:
            run_id = start_run(session, ADHOC_JOB, now)
            hook = stage_hook(config, session, queries=queries, kind=kind)
    else:  # no database: no posts known, so links to them are not recognised
        wanted = dict(queries) if queries is not None else config_queries(config)
        posts = PostLinks((), own_site_urls(config))
        hook = StageHook(PressStage(config.organisation.name, wanted, posts, kind=kind))
    report.run_id = run_id
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
        _crawl(config, "adhoc", context, kwargs, settings or {}, log_level)
        report.seconds = round(time.perf_counter() - started, 3)
    except Exception as exc:
        report.exit_status, report.error = 1, f"{type(exc).__name__}: {exc}"
    if report.pages == 0 and not report.exit_status:
        report.exit_status = 1
        report.error = "nothing could be fetched"
    report.max_rss_mb = _peak_rss_mb()
    if engine is not None and run_id is not None:
        _finish(engine, run_id, report)
        engine.dispose()
    return report


def _child(conn: Any, config_path: str, db_url: str, kwargs: dict[str, Any]) -> None:
    try:
        config = load_config(config_path)
        report = run_site_crawl(config, db_url, **kwargs)
        conn.send(json.dumps(report.to_json(), default=str))
    except BaseException as exc:
        conn.send(json.dumps({"exit_status": 1, "error": f"{type(exc).__name__}: {exc}"}))
    finally:
        conn.close()


def run_crawl_in_child(
    config_path: str, db_url: str, *, timeout: float = 3600, **kwargs: Any
) -> CrawlReport:
    """``run_site_crawl`` in a spawned child process, killed after ``timeout`` seconds.

    The parent starts the ``crawl_runs`` row, so a killed child still leaves a finished,
    failed run behind (exit status 124, "time limit exceeded").
    """
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        run_id = start_run(session, JOB, clock.now())
    spawned = run_spawned(
        _child,
        (
            config_path,
            db_url,
            {**kwargs, "run_id": run_id},
        ),
        timeout,
    )
    if spawned.payload is None:
        report = CrawlReport(exit_status=spawned.exit_status, error=spawned.error, run_id=run_id)
        _finish(engine, run_id, report)
    else:
        report = CrawlReport.from_json(json.loads(spawned.payload))
    engine.dispose()
    return report
