"""`mediamon crawl URL...`: an ad-hoc crawl now, with a progress bar and what it found.

The crawl runs in this process (the CLI is a fresh process each time, so Scrapy's reactor
starts once), or, with a ``[queue]`` configured, on the workers: one run per host group,
waited for through the run rows (#19). It uses the config's queries, or its own ``--query``
strings (named ``q1``, ``q2``...; a query that does not parse exits 2 with the caret under
the mistake). What it finds is stored unless ``--no-store`` and printed as a table, or as
JSON lines on stdout with ``--json`` (the fields of ``mediamon mentions --format json``).
The address guard applies: a loopback or private address is refused unless
``crawl.allow_hosts`` names it, and the refusal is printed; the exit status is 1 when no
page could be fetched at all.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import IO, Any
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from crawler.domain import MentionKind
from crawler.matching import QuerySyntaxError, parse_query
from crawler.press.report import CrawlReport
from crawler.runs.process import INTERRUPTED
from crawler.runs.site import run_adhoc_crawl
from scheduler.context import App, Failure
from scheduler.output import format_option, wants_json
from scheduler.progress import progress_bar

pass_app = click.make_pass_decorator(App)


def adhoc_queries(texts: tuple[str, ...]) -> dict[str, str] | None:
    """``--query`` strings as named queries (``q1``, ``q2``...), checked; None: none given."""
    if not texts:
        return None
    named = {f"q{i}": text for i, text in enumerate(texts, 1)}
    for name, text in named.items():
        try:
            parse_query(text)
        except QuerySyntaxError as exc:
            exc.query_name = name
            raise Failure(f"--query: {exc}", exit_code=2) from None
    return named


def check_urls(urls: tuple[str, ...]) -> list[str]:
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise Failure(f"not an http(s) URL: {url!r}", exit_code=2)
    return list(dict.fromkeys(urls))


def write_found_json(found: list[dict[str, Any]], out: IO[str]) -> None:
    for item in found:
        out.write(json.dumps(item, ensure_ascii=False) + "\n")


def print_crawl_report(report: CrawlReport, console: Console) -> None:
    """The mentions found (title, kind, terms or target, snippet), then the page counts."""
    if report.found:
        table = Table(title=f"{len(report.found)} found", show_lines=True)
        for column in ("kind", "title / url", "site", "queries: terms", "target", "snippet"):
            table.add_column(column, overflow="fold")
        for item in report.found:
            terms = ", ".join(item.get("terms") or [])
            queries = ", ".join(item.get("queries") or [])
            table.add_row(
                str(item["kind"]),
                f"{item.get('title') or ''}\n{item['url']}".strip(),
                str(item.get("site") or ""),
                f"{queries}: {terms}" if queries else "",
                str(item.get("target") or ""),
                str(item.get("snippet") or "")[:300],
            )
        console.print(table)
    elif report.exit_status == INTERRUPTED:  # not a result: the summary says so (#18)
        console.print("Interrupted before the crawl ended: nothing found so far.")
    else:
        console.print("Nothing about the organisation found.")
    console.print(
        f"{report.pages} page(s) read, {report.articles} article(s) checked, {report.errors} failed"
    )


def print_problems(report: CrawlReport, console: Console) -> None:
    for problem in report.problems:
        console.print(f"{problem.url}: {problem.reason}", markup=False, highlight=False)


@click.command("crawl")
@click.argument("urls", nargs=-1, required=True)
@click.option(
    "--depth",
    type=click.IntRange(0, 5),
    default=0,
    show_default=True,
    help="Follow same-site links this many hops.",
)
@click.option("--query", "queries", multiple=True, metavar="Q", help="Use this query (repeatable).")
@click.option(
    "--kind",
    type=click.Choice([MentionKind.PRESS.value, MentionKind.BLOG.value]),
    default=MentionKind.PRESS.value,
    show_default=True,
    help="Label what is found as press or blog coverage.",
)
@format_option(json_help="Same as --format json: JSON lines on stdout, one per find.")
@click.option("--no-store", is_flag=True, help="Print what is found; store nothing.")
@click.option(
    "--no-wait", is_flag=True, help="Queue mode: print the queued run ids and return at once."
)
@pass_app
def crawl(
    app: App,
    urls: tuple[str, ...],
    depth: int,
    queries: tuple[str, ...],
    kind: str,
    fmt: str,
    as_json: bool,
    no_store: bool,
    no_wait: bool,
) -> None:
    """Crawl URLs now and show what they say about the organisation.

    With a [queue] in the config the URLs are queued per host for the workers and the
    table is printed once they are done (--no-store crawls here: nothing goes through the
    database, so nothing can come back from a worker).
    """
    wanted = check_urls(urls)
    named = adhoc_queries(queries)
    config = app.config
    if not named and not config.queries:
        raise Failure("no queries: add [[queries]] to the config or pass --query", exit_code=2)
    if config.queue.enabled and not no_store:
        queued = _crawl_queued(app, wanted, depth, named, kind, no_wait)
        if queued is None:  # --no-wait: the run ids are printed
            return
        report = queued
    else:
        report = _crawl_here(app, wanted, depth, named, kind, no_store)
    print_problems(report, app.err_console)
    if wants_json(fmt, as_json):
        write_found_json(report.found, sys.stdout)
    else:
        print_crawl_report(report, app.console)
    if report.exit_status:
        raise Failure(report.error or "crawl failed", exit_code=report.exit_status)


def _crawl_here(
    app: App,
    urls: list[str],
    depth: int,
    queries: dict[str, str] | None,
    kind: str,
    no_store: bool,
) -> CrawlReport:
    """The crawl in this process, with a progress bar."""
    engine: Engine | None = None
    if not no_store:
        engine = app.engine()  # the schema must be current before anything is fetched
    with progress_bar(app, "crawling", None, counted="page(s)") as progress_cb:
        return run_adhoc_crawl(
            app.config,
            engine,
            urls,
            depth=depth,
            queries=queries,
            kind=MentionKind(kind),
            progress=progress_cb,
            # failures are printed after, one line each: Scrapy's own tracebacks only with -v
            log_level="CRITICAL" if logging.getLogger().level >= logging.WARNING else "INFO",
        )


def _crawl_queued(
    app: App,
    urls: list[str],
    depth: int,
    queries: dict[str, str] | None,
    kind: str,
    no_wait: bool,
) -> CrawlReport | None:
    """The crawl as one run per host group for the workers (#19), summed as if crawled
    here; None with ``no_wait`` (the run ids are printed)."""
    from scheduler.cmd_queue import run_queued
    from scheduler.queue.groups import adhoc_groups

    return run_queued(app, adhoc_groups(urls, depth, queries, kind), CrawlReport, no_wait=no_wait)
