"""Run a feed poll: pick the due sources, crawl them with the feed spider, record the run.

``run_poll`` runs Scrapy's ``CrawlerProcess`` in the *current* process: the reactor cannot be
restarted, so call it once per process (the CLI is a fresh process each time). The scheduler,
the tests and the benchmarks run it in a child process with a time limit through
``scheduler.runner`` (the way scrapyd runs crawls), so a crash, leak or hang in one poll never
takes them down. ``python -m crawler.runs.poll`` is the same entry point for a shell.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from crawler import clock
from crawler.config import Config, load_config
from crawler.domain import SourceType
from crawler.feeds.model import FeedEntry, entry_from_json
from crawler.feeds.policy import DAY, PollLimits, last_full_fetch, send_validators
from crawler.feeds.report import PollReport
from crawler.fetching.settings import scrapy_settings
from crawler.fetching.shared_fetch import SETTING as SHARED_SETTING
from crawler.fetching.shared_fetch import SharedFetches
from crawler.pipelines.feeds import (
    CONTEXT_SETTING,
    STORE_ORDER,
    MatchHook,
    OwnSite,
    PollContext,
    Progress,
)
from crawler.pipelines.shared import Shared
from crawler.press.persist import StageHook, stage_hook
from crawler.press.report import PollMatchReport
from crawler.runs import UnknownSource
from crawler.runs.prepared import crawl_prepared
from crawler.runs.process import INTERRUPTED, interrupted
from crawler.runs.record import RunRecord
from crawler.spiders.items import FeedTask
from crawler.storage.db import engine_for, session_scope
from crawler.storage.feeds import due_articles, due_sources, host_blocks
from crawler.storage.fetches import watched_elsewhere
from crawler.storage.mentions import retire_superseded_links
from crawler.storage.models import SourceRow
from crawler.storage.sources import sync_sources

JOB = "poll"
#: Exit statuses (README, "Exit codes"); 2 is a usage or config error, raised before a run.
SOME_FAILED = 1
NOTHING_DONE = 3


def poll_limits(config: Config) -> PollLimits:
    crawl = config.crawl
    return PollLimits(
        min_interval=crawl.min_interval_minutes * 60,
        max_interval=crawl.max_interval_minutes * 60,
        retry_after_cap=DAY,
    )


def fetch_url(row: SourceRow) -> str:
    """Where a source is fetched: its discovered feed (or sitemap, for a site), else its URL."""
    wanted = "sitemap" if row.type == SourceType.SITE.value else None
    for item in row.discovered or []:
        if not isinstance(item, dict) or not item.get("url"):
            continue
        is_sitemap = item.get("type") == "sitemap"
        if (wanted == "sitemap") == is_sitemap:
            return str(item["url"])
    return row.url


def build_tasks(
    rows: Sequence[SourceRow],
    now: datetime,
    limits: PollLimits,
    *,
    conditional: bool = True,
    shared: Collection[str] = (),
) -> list[FeedTask]:
    """One task per distinct effective URL: sources that redirect to the same feed share one
    fetch (``also_for``), the first by id making the request with its validators. A URL in
    ``shared`` (other organisations watch it) may be answered from their fetch (#16)."""
    groups: dict[str, list[SourceRow]] = {}
    for row in rows:
        url = fetch_url(row)
        key = row.redirect_url or url
        groups.setdefault(key, []).append(row)
    tasks = []
    for members in groups.values():
        row, others = members[0], members[1:]
        has_validators = bool(row.etag or row.last_modified)
        last_full = last_full_fetch(row.events or [])
        url = fetch_url(row)
        tasks.append(
            FeedTask(
                source_id=row.id,
                name=row.name,
                url=url,
                type=row.type,
                etag=row.etag,
                last_modified=row.last_modified,
                body_hash=row.body_hash if conditional else "",
                conditional=conditional and send_validators(has_validators, last_full, now, limits),
                discover=url == row.url
                and not row.discovered
                and row.entries_total == 0
                and row.type != SourceType.SITE.value,
                also_for=tuple(o.id for o in others),
                share=url in shared,
            )
        )
    return tasks


def _own_sites(config: Config, rows: Iterable[SourceRow]) -> dict[int, OwnSite]:
    by_url = {}
    for site in config.organisation.sites:
        by_url[site.feed or site.url] = OwnSite(site.url, site.platform)
    return {
        row.id: by_url.get(
            row.configured_url or row.url, OwnSite(row.url, config.organisation.sites[0].platform)
        )
        for row in rows
        if row.type == SourceType.OWN.value and config.organisation.sites
    }


def shared_fetches(config: Config, engine: Engine) -> SharedFetches | None:
    """How this organisation's polls use and keep the fetches of feeds other organisations
    in the database watch too (#16); None when ``crawl.shared_fetch_seconds`` is 0."""
    crawl = config.crawl
    if crawl.shared_fetch_seconds <= 0:
        return None
    return SharedFetches(
        engine=engine,
        window_seconds=float(crawl.shared_fetch_seconds),
        max_bytes=crawl.max_body_bytes,
        resolve=dict(crawl.resolve),
        proxy=crawl.proxy,
        allow_hosts=tuple(crawl.allow_hosts),
    )


@dataclass(frozen=True)
class DueSources:
    """The sources a poll will fetch, read before its run is opened: a caller can look at
    them first (``mediamon poll`` sizes its progress bar, or says nothing is due) and hand
    them to ``prepare_poll`` instead of registering and reading them twice."""

    now: datetime
    rows: list[SourceRow]
    blocked: Mapping[str, datetime]
    articles: list[tuple[int, FeedEntry]] = field(default_factory=list)
    """Article pages an earlier poll left unread (interrupted, transient failure): read now,
    whatever their feeds answer (#18)."""
    missing: tuple[str, ...] = ()
    """Names asked for that are no source of the config: a usage error, not a failed run."""

    @property
    def work(self) -> int:
        """How many fetches are due: feeds plus unread article pages."""
        return len(self.rows) + len(self.articles)


def due_now(
    config: Config,
    engine: Engine,
    *,
    source_names: Sequence[str] = (),
    all_sources: bool = False,
    now: datetime | None = None,
) -> DueSources:
    """Register the config's sources and read the due ones (or those named, or all)."""
    now = now or clock.now()
    org = config.organisation.name
    with session_scope(engine) as session:
        sync_sources(session, config, now)
    with session_scope(engine) as session:
        rows = due_sources(session, org, now, names=source_names, all_sources=all_sources)
        blocked = host_blocks(session, now)
        articles = [
            (source_id, entry_from_json(data))
            for source_id, data in due_articles(session, org, source_names)
        ]
    missing = tuple(sorted(set(source_names) - {row.name for row in rows}))
    return DueSources(now, rows, blocked, articles, missing)


@dataclass
class PreparedPoll:
    """A poll ready to crawl: its row, its context (what the pipeline needs) and its tasks."""

    config: Config
    engine: Engine
    record: RunRecord
    context: PollContext
    tasks: list[FeedTask]
    blocked: Mapping[str, datetime]
    articles: list[tuple[int, FeedEntry]] = field(default_factory=list)

    @property
    def report(self) -> PollReport:
        return self.context.report

    def has_work(self) -> bool:
        """Feeds due, or article pages still to read from earlier polls (#18)."""
        return bool(self.tasks or self.articles)

    def spider_class(self) -> type[Any]:
        from crawler.spiders.feeds import FeedSpider

        return FeedSpider

    def crawl_settings(self, overrides: Mapping[str, Any], log_level: str) -> dict[str, Any]:
        """The Scrapy settings of this poll: the config's, its storage pipeline and context."""
        settings = scrapy_settings(self.config, log_level=log_level, overrides=overrides)
        settings["ITEM_PIPELINES"] = {"crawler.pipelines.feeds.FeedStoragePipeline": STORE_ORDER}
        settings[CONTEXT_SETTING] = Shared(self.context)
        settings["MEDIAMON_BLOCKED_HOSTS"] = {h: t.isoformat() for h, t in self.blocked.items()}
        if self.context.shared is not None:
            settings[SHARED_SETTING] = Shared(self.context.shared)
        return settings

    def spider_arguments(self) -> dict[str, Any]:
        """What ``FeedSpider`` is given: the tasks, the item cap and the hosts of our links."""
        hook = self.context.matcher
        hosts = hook.link_hosts() if isinstance(hook, StageHook) else None
        return {
            "tasks": self.tasks,
            "max_items": self.config.crawl.max_feed_items,
            "link_hosts": hosts,
            "articles": self.articles,
        }

    def crawled(self, stats: Mapping[str, Any]) -> None:
        """After the crawl: the per-host figures, links superseded by the new pages, and the
        run's exit status."""
        report = self.report
        report.hosts = dict(stats.get("mediamon/hosts", {}))
        report.bytes = sum(h.get("bytes", 0) for h in report.hosts.values())
        if self.context.matcher is not None:
            with session_scope(self.engine) as session:
                folded = retire_superseded_links(session, self.context.org)
            if isinstance(report, PollMatchReport):
                report.links_folded = folded
        judge_poll(report, stats)


def prepare_poll(
    config: Config,
    engine: Engine,
    *,
    source_names: Sequence[str] = (),
    all_sources: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    matcher: MatchHook | None = None,
    match: bool = True,
    conditional: bool = True,
    fetch_articles: bool = True,
    run_id: int | None = None,
    due: DueSources | None = None,
) -> PreparedPoll:
    """Register the config's sources, pick the due ones (``due``, if the caller read them
    already with ``due_now``), open the run's row and build the tasks and the pipeline's
    context (see ``run_poll`` for the parameters)."""
    if due is None:
        due = due_now(config, engine, source_names=source_names, all_sources=all_sources, now=now)
    if due.missing:
        raise UnknownSource("unknown source: " + ", ".join(due.missing))
    now, rows, blocked = due.now, due.rows, due.blocked
    limits = poll_limits(config)
    org = config.organisation.name
    record = RunRecord.open(engine, JOB, now, run_id, org)
    shared = shared_fetches(config, engine)
    with session_scope(engine) as session:
        watched = watched_elsewhere(session, org) if shared is not None and conditional else set()
        tasks = build_tasks(rows, now, limits, conditional=conditional, shared=watched)
        if matcher is None and match:
            matcher = stage_hook(config, session)
        context = PollContext(
            engine=engine,
            org=org,
            limits=limits,
            keep_events=config.retention.fetch_events,
            own_sites=_own_sites(config, rows),
            matcher=matcher,
            progress=progress,
            fetch_articles=fetch_articles,
            shared=shared if watched else None,
        )
    context.report.run_id = record.run_id
    return PreparedPoll(config, engine, record, context, tasks, blocked, due.articles)


def crawl_poll(
    poll: PreparedPoll, settings: Mapping[str, Any] | None = None, log_level: str = "WARNING"
) -> PollReport:
    """Crawl a prepared poll in this process and finish its row; returns its report."""
    crawl_prepared([poll], settings, log_level)
    return poll.report


def judge_poll(report: PollReport, stats: Mapping[str, Any]) -> None:
    """The run's exit status (README, "Exit codes"): 130 interrupted, 3 every source failed,
    1 some failed (the error names them), 0 all done."""
    if report.exit_status:
        return
    failed = sorted({line.name for line in report.lines if line.outcome == "failed"})
    if interrupted(stats):
        report.exit_status = INTERRUPTED
        report.error = (
            f"interrupted after {report.sources} sources and {report.articles} article pages"
        )
    elif failed and report.errors >= report.sources:
        report.exit_status = NOTHING_DONE
        report.error = f"every source failed ({len(failed)}): " + ", ".join(failed[:10])
    elif failed:
        report.exit_status = SOME_FAILED
        more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
        report.error = (
            f"{len(failed)} of {report.sources} sources failed: " + ", ".join(failed[:10]) + more
        )


def run_poll(
    config: Config,
    database: str | Engine,
    *,
    source_names: Sequence[str] = (),
    all_sources: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    matcher: MatchHook | None = None,
    match: bool = True,
    conditional: bool = True,
    fetch_articles: bool = True,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
    run_id: int | None = None,
) -> PollReport:
    """Poll the due sources (or those named, or all) in this process; see the module doc.

    :param now: decides which sources are due (fetch times are the real clock).
    :param matcher: the match stage; by default built from the config's queries and the
        posts in the database (``match=False``: store feeds and documents only).
    :param conditional: off sends no validators and ignores the body hash (benchmarks).
    :param fetch_articles: off stores summary-only entries without reading their pages.
    :param settings: Scrapy setting overrides (tests: shorter timeouts).
    :param run_id: a ``crawl_runs`` row the caller started (and finishes): see ``record``.
    :param database: a URL, or the caller's engine (used, not disposed: one per process).
    """
    with engine_for(database) as engine:
        poll = prepare_poll(
            config,
            engine,
            source_names=source_names,
            all_sources=all_sources,
            now=now,
            progress=progress,
            matcher=matcher,
            match=match,
            conditional=conditional,
            fetch_articles=fetch_articles,
            run_id=run_id,
        )
        return crawl_poll(poll, settings, log_level)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m crawler.runs.poll --config FILE --db URL [--source NAME]... [--all]``: prints the
    report as JSON on stdout."""
    parser = argparse.ArgumentParser(prog="python -m crawler.runs.poll")
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--source", action="append", default=[])
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    report = run_poll(
        load_config(args.config), args.db, source_names=args.source, all_sources=args.all
    )
    sys.stdout.write(json.dumps(report.to_json(), default=str) + "\n")
    return report.exit_status


if __name__ == "__main__":
    raise SystemExit(main())
