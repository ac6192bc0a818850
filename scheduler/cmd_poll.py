"""`mediamon poll`: poll the due feeds now (every source with ``--all``, or those named).

The crawl runs in this process (the CLI is a fresh process each time, so Scrapy's reactor
starts once); the scheduler runs the same poll in a ``scheduler.child`` process instead. A
progress bar goes to stderr when it is a terminal, and a closing table summarises it.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from crawler.feeds.report import PollReport
from crawler.press.report import PollMatchReport
from crawler.runs import UnknownSource
from crawler.runs.poll import crawl_poll, due_now, prepare_poll
from crawler.storage.db import describe_storage_error
from scheduler.context import App, Failure
from scheduler.hints import print_hint
from scheduler.output import echo_json, format_option, human_reason, wants_json
from scheduler.progress import progress_bar

pass_app = click.make_pass_decorator(App)


def print_poll_report(report: PollReport, console: Console, *, verbose: bool = False) -> None:
    """The closing summary: counts, then the sources that failed (all sources with -v)."""
    table = Table(title="Poll")
    for column in ("sources", "fetched", "not modified", "unchanged", "new entries", "errors"):
        table.add_column(column, justify="right")
    table.add_row(
        str(report.sources),
        str(report.fetched),
        str(report.not_modified),
        str(report.unchanged),
        str(report.new_entries),
        str(report.errors),
    )
    console.print(table)
    extras = []
    if report.deferred:
        extras.append(f"{report.deferred} deferred (host rate-limited)")
    if report.articles or report.article_errors:
        extras.append(f"{report.articles} article pages read, {report.article_errors} failed")
    if report.posts:
        extras.append(f"{report.posts} new posts of ours")
    if report.shared:
        extras.append(f"{report.shared} answered from another organisation's fetch")
    if extras:
        console.print("; ".join(extras))
    lines = [line for line in report.lines if verbose or line.error or line.outcome == "failed"]
    if lines:
        detail = Table(title="Sources" if verbose else "Problems")
        for column in ("source", "outcome", "status", "new", "reason"):
            detail.add_column(column, overflow="fold")
        for line in sorted(lines, key=lambda item: item.name):
            reason = human_reason(line.status, line.error)[:100]
            detail.add_row(line.name, line.outcome, line.status, str(line.new), reason)
        console.print(detail)


@click.command()
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Poll this source.")
@click.option("--all", "all_sources", is_flag=True, help="Poll every source now, due or not.")
@click.option("-v", "--verbose", is_flag=True, help="List every polled source.")
@format_option(json_help="Same as --format json: the report as one JSON object on stdout.")
@click.option(
    "--no-wait", is_flag=True, help="Queue mode: print the queued run ids and return at once."
)
@pass_app
def poll(
    app: App,
    sources: tuple[str, ...],
    all_sources: bool,
    verbose: bool,
    fmt: str,
    as_json: bool,
    no_wait: bool,
) -> None:
    """Poll the due feeds now (every source with --all, or those named with --source).

    With a [queue] in the config the due feeds are queued per host for the workers, and the
    table sums their runs once they are done (or, with --no-wait, the run ids are printed).
    """
    as_json = wants_json(fmt, as_json)
    hints = app.err_console if as_json else app.console  # stdout is only JSON
    if app.config.queue.enabled:
        _poll_queued(app, sources, all_sources, no_wait, as_json)
        return
    # One engine (the app's) and one look at what is due: it sizes the progress bar and is
    # then the poll's own selection, not read a second time.
    engine = app.engine()
    due = due_now(app.config, engine, source_names=sources, all_sources=all_sources, now=app.now())
    if due.missing:  # a usage error: refused before a run is recorded (#18)
        raise Failure("unknown source: " + ", ".join(due.missing), exit_code=2)
    if due.work == 0 and not sources:
        print_hint(hints, "No source is due; to poll every source now:", "mediamon poll --all")
        return
    with progress_bar(app, "polling", due.work) as progress_cb:
        try:
            prepared = prepare_poll(
                app.config, engine, source_names=sources, progress=progress_cb, due=due
            )
            report = crawl_poll(prepared)
        except UnknownSource as exc:
            raise Failure(str(exc), exit_code=2) from None
        except Exception as exc:  # a crashed crawl is recorded in crawl_runs; say why, briefly
            reason = describe_storage_error(exc)
            if reason is not None:
                raise Failure(reason, exit_code=3) from None
            raise Failure(f"poll failed: {type(exc).__name__}: {exc}") from None
    if as_json:  # for scripts: the same report `crawl_runs` and the scheduler's child keep
        echo_json(report.to_json())
    else:
        print_poll_report(report, app.console, verbose=verbose)
    if report.exit_status:
        raise Failure(report.error or "poll failed", exit_code=report.exit_status)


def _poll_queued(
    app: App, sources: tuple[str, ...], all_sources: bool, no_wait: bool, as_json: bool
) -> None:
    from scheduler.cmd_queue import run_queued
    from scheduler.queue.groups import feed_groups

    groups = feed_groups(app.config, app.engine(), app.now(), sources, all_sources=all_sources)
    if not groups:
        print_hint(
            app.err_console if as_json else app.console,
            "No source is due; to poll every source now:",
            "mediamon poll --all",
        )
        return
    report = run_queued(app, groups, PollMatchReport, no_wait=no_wait)
    if report is None:
        return
    if as_json:
        echo_json(report.to_json())
    else:
        print_poll_report(report, app.console)
    if report.exit_status:
        raise Failure(report.error or "poll failed", exit_code=report.exit_status)
