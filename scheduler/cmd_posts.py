"""`mediamon posts sync [--since DATE]`: take the inventory of our posts from every route.

Every own site (``[[organisation.sites]]``) is asked through every route it offers: the
WordPress REST API, the WordPress.com public API, the paged feed, the sitemaps, and the
archive pages as the last resort. Each post is stored once; the command prints one table
row per site with the posts each route listed, and the routes that were unavailable (with
why) or that stopped early (a looping or endless feed). ``mediamon linkbacks`` runs it on
its own for a site never synced.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import click
from rich.console import Console
from rich.table import Table

from crawler.posts.model import ROUTES
from crawler.posts.report import SyncReport
from crawler.runs.posts import run_posts_sync
from scheduler.context import App, Failure
from scheduler.output import echo_json, format_option, wants_json
from scheduler.progress import progress_bar

pass_app = click.make_pass_decorator(App)


def print_sync_report(report: SyncReport, console: Console) -> None:
    """One row per site: posts in total, new, and the posts each route listed."""
    if not report.lines:
        console.print("No site synced.")
        return
    table = Table(title=f"Post inventory of {len(report.lines)} site(s)")
    table.add_column("site", overflow="fold", max_width=40)
    table.add_column("posts", justify="right")
    table.add_column("new", justify="right")
    for route in ROUTES:
        table.add_column(route, justify="right")
    for line in report.lines:
        counts = line.route_posts()
        states = {str(r["route"]): str(r["status"]) for r in line.routes}
        cells = []
        for route in ROUTES:
            state = states.get(route, "skipped")
            cells.append(str(counts.get(route, 0)) if state == "ok" else f"— ({state})")
        table.add_row(line.site_url, str(line.posts), str(line.new), *cells)
    console.print(table)
    console.print(f"{report.posts} posts, {report.new} new.")
    for line in report.lines:
        for route, why in line.unavailable().items():
            console.print(f"{line.site_url}: {route} {why}")
        for tally in line.routes:
            if tally["status"] == "ok" and tally["detail"]:
                console.print(f"{line.site_url}: {tally['route']}: {tally['detail']}")
        for note in line.notes:
            console.print(f"note: {note}")


def sync_posts(app: App, since: datetime | None) -> SyncReport:
    """Run the sync in this process with a progress display (one step per route and site)."""
    with progress_bar(app, "listing posts", None, counted="route(s) read") as advance:
        try:
            return run_posts_sync(
                app.config, app.engine(), since=since, now=app.now(), progress=advance
            )
        except Exception as exc:  # a crashed crawl is recorded in crawl_runs; say why
            raise Failure(f"posts sync failed: {type(exc).__name__}: {exc}") from None


@click.group("posts")
def posts() -> None:
    """The organisation's own posts."""


@posts.command("sync")
@click.option(
    "--since",
    "since_day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only posts published since this day (YYYY-MM-DD); default: every post.",
)
@format_option(json_help="Same as --format json: the report as one JSON object on stdout.")
@pass_app
def sync(app: App, since_day: datetime | None, fmt: str, as_json: bool) -> None:
    """Backfill the inventory of our posts from every route each site offers."""
    if not app.config.organisation.sites:
        raise Failure("no [[organisation.sites]] in the config: nothing to sync")
    since = None
    if since_day is not None:
        since = datetime.combine(date(since_day.year, since_day.month, since_day.day), time(), UTC)
    report = sync_posts(app, since)
    if wants_json(fmt, as_json):
        echo_json(report.to_json())
    else:
        print_sync_report(report, app.console)
    if report.exit_status:
        raise Failure(report.error or "posts sync failed", exit_code=report.exit_status)
