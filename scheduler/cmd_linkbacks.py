"""`mediamon linkbacks`: harvest our posts' linkbacks, re-check them, verify receipts, or show
which linkback endpoints a page advertises.

``mediamon linkbacks [POST_URL]...`` harvests the named posts (default: the posts that are
due: never harvested, then by age, then older ones on the slow sweep; ``--all`` every recent
post now) and prints a table per post. ``--recheck`` and ``--verify`` run the scheduler's
re-check and verify jobs by hand (in queue mode the harvest, re-check and verify are queued
for the workers, and waited for unless ``--no-wait``). One job runs in this process
(Scrapy's reactor starts once per process, and the CLI is a fresh process); several jobs in
one invocation each run in a child process. ``--check URL [--json]`` fetches one page and
reports its Pingback, Webmention and TrackBack endpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from crawler.harvest import model
from crawler.harvest.model import PageEndpoints
from crawler.harvest.report import (
    LINKBACK_COLUMNS,
    HarvestReport,
    RecheckReport,
    VerifyReport,
)
from crawler.posts.report import SyncReport
from crawler.runs.linkbacks import (
    find_posts,
    run_check,
    run_harvest,
    run_recheck,
    run_verify,
    select_posts,
)
from crawler.runs.posts import sites_to_sync
from crawler.runs.process import INTERRUPTED
from crawler.storage.db import session_scope
from crawler.storage.linkbacks import harvest_posts
from scheduler.cmd_posts import print_sync_report
from scheduler.context import App, Failure
from scheduler.hints import print_hint
from scheduler.output import echo_json, format_option, wants_json
from scheduler.progress import progress_bar
from scheduler.runner import run_in_child

pass_app = click.make_pass_decorator(App)

_Report = HarvestReport | RecheckReport | VerifyReport | SyncReport

#: The jobs that go to the workers in queue mode (#19).
QUEUED = ("harvest", "recheck", "verify")


#: Below this many columns the routes are listed under the table, not in it.
WIDE_TABLE = 120


def _cell(found: int, new: int) -> str:
    if not found:
        return "—"
    return f"{found} (+{new})" if new else str(found)


def print_harvest_report(report: HarvestReport, console: Console) -> None:
    """One row per post: counts by kind (new since the last run), routes used/unavailable."""
    if not report.lines:
        console.print("No post harvested.")
        return
    # The routes take two wide columns: on a narrow terminal (or a pipe at 80 columns) they
    # go below the table, so titles keep room instead of folding into 7-character strips.
    wide = console.width >= WIDE_TABLE
    table = Table(title=f"Linkbacks of {len(report.lines)} posts")
    table.add_column("post", overflow="fold", max_width=48, min_width=20, ratio=1)
    for kind in LINKBACK_COLUMNS:
        table.add_column(f"{kind}s", justify="right")
    if wide:
        table.add_column("routes used", overflow="fold")
        table.add_column("unavailable", overflow="fold")
    used: dict[str, int] = {}
    for line in report.lines:
        unavailable = [*line.routes_unavailable, *(f"{r} (failed)" for r in line.routes_failed)]
        routes = [", ".join(line.routes_ok) or "—", ", ".join(unavailable) or "—"]
        table.add_row(
            line.title or line.url,
            *(_cell(line.found.get(k, 0), line.new.get(k, 0)) for k in LINKBACK_COLUMNS),
            *(routes if wide else []),
        )
        for route in line.routes_ok:
            used[route] = used.get(route, 0) + 1
    console.print(table)
    if not wide and used:
        shown = ", ".join(f"{route} ({n} posts)" for route, n in sorted(used.items()))
        console.print(f"Routes used: {shown}")
    console.print(
        f"{report.linkbacks} linkbacks and comments, {report.new} new; "
        f"{report.sources_checked} sources checked ({report.source_errors} not reachable, "
        f"{report.deleted} already gone)."
    )
    notes: dict[tuple[str, str], list[str]] = {}
    for line in report.lines:
        name = line.title or line.url
        found = {**line.routes_unavailable, **line.routes_failed}
        if model.FEED in line.truncated:
            found[model.FEED] = "feed full (cap reached): the page's comment list was read"
        if line.unresolved:
            found["feed/html"] = f"{line.unresolved} pings without a usable source URL"
        if line.blocked:
            found["blocklist"] = f"{line.blocked} linkbacks from blocked sources ignored"
        if line.sources_skipped:
            found["sources"] = f"{line.sources_skipped} sources left for the next run"
        if line.error:
            found["—"] = line.error
        for route, reason in found.items():
            notes.setdefault((route, reason), []).append(name)
    if notes:
        detail = Table(title="Route notes")
        for column in ("route", "why", "posts"):
            detail.add_column(column, overflow="fold")
        for (route, reason), names in notes.items():
            everyone = len(names) == len(report.lines) and len(names) > 1
            detail.add_row(route, reason, "all" if everyone else "; ".join(names))
        console.print(detail)


def print_check_lines(report: RecheckReport | VerifyReport, console: Console, title: str) -> None:
    counts = report.stats()
    if not report.lines:
        # Queue mode sums the workers' run rows: counters without lines (#19).
        if any(counts.values()):
            console.print(f"{title}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
        else:
            console.print(f"{title}: nothing was due.")
        return
    table = Table(title=title)
    for column in ("source", "kind", "outcome", "why"):
        table.add_column(column, overflow="fold")
    for line in report.lines:
        table.add_row(line.url, line.kind, line.outcome, line.reason)
    console.print(table)
    console.print(", ".join(f"{k}={v}" for k, v in counts.items()))


def print_endpoints(result: PageEndpoints, console: Console) -> None:
    table = Table(title=f"Linkback endpoints of {result.url}")
    table.add_column("protocol")
    table.add_column("endpoint", overflow="fold")
    for name in ("pingback", "webmention", "trackback"):
        table.add_row(name, getattr(result, name) or "—")
    console.print(table)
    if result.final_url and result.final_url != result.url:
        console.print(f"(after redirects: {result.final_url})")
    for note in result.notes:
        console.print(f"note: {note}")


def _check(app: App, url: str, as_json: bool) -> None:
    try:
        result = run_check(app.config, [url])[0]
    except Exception as exc:  # a crashed crawl: say why, briefly
        raise Failure(f"check failed: {type(exc).__name__}: {exc}") from None
    if result.error:
        raise Failure(f"{url}: {result.error}")
    if as_json:
        echo_json(result.as_json())
    else:
        print_endpoints(result, app.console)


def _harvest_total(app: App, post_urls: Sequence[str], all_posts: bool) -> int:
    """How many posts the harvest will read; unknown URLs are a clear error."""
    org = app.config.organisation.name
    with session_scope(app.engine()) as session:
        if post_urls:
            posts, unknown = find_posts(session, org, post_urls)
            if unknown:
                names = ", ".join(unknown)
                raise Failure(
                    f"not one of our posts: {names} (run `mediamon poll` first so that "
                    "mediamon learns the organisation's posts from its feeds)"
                )
            return len(posts)
        settings = app.config.linkbacks
        return len(
            select_posts(
                harvest_posts(session, org),
                app.now(),
                settings.recent_days,
                sweep_days=settings.sweep_days,
                all_posts=all_posts,
            )
        )


def _in_process(app: App, job: str, post_urls: Sequence[str], all_posts: bool) -> _Report | None:
    config = app.config
    total: int | None = None
    if job == "harvest":
        total = _harvest_total(app, post_urls, all_posts)
        if total == 0:
            print_hint(
                app.console,
                "No post is due; to harvest every recent post now:",
                "mediamon linkbacks --all",
            )
            return None
    db = app.engine()  # the schema must be current; the run uses this one engine
    label = {"harvest": "harvesting"}.get(job, f"{job}ing")
    # A harvest's posts each take a dozen pages or a hundred: the spinner counts the pages
    # read and the posts finished, so it moves with the real work (#18).
    counted = "page(s) read" if job == "harvest" else ""
    items = ("posts", total) if job == "harvest" else None
    with progress_bar(app, label, total, counted=counted, items=items) as advance:
        try:
            if job == "harvest":
                return run_harvest(
                    config,
                    db,
                    post_urls=post_urls,
                    all_posts=all_posts,
                    now=app.now(),
                    progress=advance,
                )
            if job == "recheck":
                return run_recheck(config, db, now=app.now(), progress=advance)
            return run_verify(config, db, now=app.now(), progress=advance)
        except Exception as exc:  # a crashed crawl is recorded in crawl_runs; say why, briefly
            raise Failure(f"{job} failed: {type(exc).__name__}: {exc}") from None


def _in_child(app: App, job: str, post_urls: Sequence[str], all_posts: bool) -> _Report | None:
    options: dict[str, Any] = {"now": app.now()}
    if job == "harvest":
        _harvest_total(app, post_urls, all_posts)
        options.update(post_urls=list(post_urls), all_posts=all_posts)
    report: _Report = run_in_child(
        job,
        app.config,
        app.database_url,
        time_limit=app.config.scheduler.crawl_time_limit_seconds,
        grace=app.config.scheduler.stop_grace_seconds,
        forward_signals=True,  # Ctrl-C stops the child's run cleanly: it reports 130
        **options,
    )
    return report


def _queued(
    app: App, job: str, post_urls: Sequence[str], all_posts: bool, no_wait: bool
) -> _Report | None:
    """Queue mode (#19): the harvest per blog, or the receipts, for the workers."""
    from scheduler.cmd_queue import run_queued
    from scheduler.queue.groups import linkback_groups, receipt_groups, recheck_groups

    if job == "verify":
        return run_queued(app, receipt_groups(), VerifyReport, no_wait=no_wait)
    if job == "recheck":
        return run_queued(app, recheck_groups(), RecheckReport, no_wait=no_wait)
    if _harvest_total(app, post_urls, all_posts) == 0:
        print_hint(
            app.console,
            "No post is due; to harvest every recent post now:",
            "mediamon linkbacks --all",
        )
        return None
    groups = linkback_groups(app.config, app.engine(), app.now(), post_urls, all_posts=all_posts)
    return run_queued(app, groups, HarvestReport, no_wait=no_wait)


def _print(report: _Report, console: Console) -> None:
    if isinstance(report, SyncReport):
        print_sync_report(report, console)
    elif isinstance(report, HarvestReport):
        print_harvest_report(report, console)
    elif isinstance(report, RecheckReport):
        print_check_lines(report, console, "Re-checked linkbacks")
    else:
        print_check_lines(report, console, "Verified receipts")


@click.command("linkbacks")
@click.argument("post_urls", nargs=-1, metavar="[POST_URL]...")
@click.option("--all", "all_posts", is_flag=True, help="Harvest every recent post now, due or not.")
@click.option("--recheck", is_flag=True, help="Re-check the sources of linkbacks that are due.")
@click.option("--verify", is_flag=True, help="Verify the queued pingbacks/webmentions/trackbacks.")
@click.option("--check", "check_url", metavar="URL", help="Show the endpoints a page advertises.")
@format_option(json_help="Same as --format json: one JSON object on stdout.")
@click.option(
    "--no-wait", is_flag=True, help="Queue mode: print the queued run ids and return at once."
)
@pass_app
def linkbacks(
    app: App,
    post_urls: tuple[str, ...],
    all_posts: bool,
    recheck: bool,
    verify: bool,
    check_url: str | None,
    fmt: str,
    as_json: bool,
    no_wait: bool,
) -> None:
    """Harvest the linkbacks of our posts (the posts that are due, by default)."""
    as_json = wants_json(fmt, as_json)
    if as_json:  # stdout is only JSON: the notes and hints go to stderr
        app.console = app.err_console
    if check_url is not None:
        if post_urls or all_posts or recheck or verify:
            raise click.UsageError("--check takes one URL and no other job")
        _check(app, check_url, as_json)
        return
    jobs = []
    if post_urls or all_posts or not (recheck or verify):
        if not post_urls:
            new_sites = sites_to_sync(app.config, app.engine())
            if new_sites:  # a new site: its whole post inventory first (#16)
                app.console.print("First run for " + ", ".join(new_sites) + ": listing every post.")
                jobs.append("posts")
        jobs.append("harvest")
    if recheck:
        jobs.append("recheck")
    if verify:
        jobs.append("verify")
    runner = _in_process if len(jobs) == 1 else _in_child
    failed: _Report | None = None
    for job in jobs:
        # The first run's post inventory stays here: the harvest queued next reads it.
        if app.config.queue.enabled and job in QUEUED:
            report = _queued(app, job, post_urls, all_posts, no_wait)
        else:
            report = runner(app, job, post_urls, all_posts)
        if report is None:
            continue
        if as_json:
            echo_json({"job": job, **report.to_json()})
        else:
            _print(report, app.console)
        if report.exit_status and failed is None:
            failed = report
        if report.exit_status == INTERRUPTED:
            break  # stopped by the user: the jobs after it are not started
    if failed is not None:
        raise Failure(failed.error or "linkbacks failed", exit_code=failed.exit_status)
