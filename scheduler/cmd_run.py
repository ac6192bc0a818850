"""`mediamon run`: the scheduler daemon, or every job once (`--once`, for cron and the demo)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from scheduler.clock import Clock, SystemClock, parse_clock
from scheduler.context import App, Failure
from scheduler.daemon import install_signal_handlers, run_daemon, run_once_each
from scheduler.jobs import all_jobs
from scheduler.output import echo_json, format_option, run_result, stats_line, wants_json
from scheduler.runtime import Runtime

pass_app = click.make_pass_decorator(App)


def _clock(spec: str | None) -> Clock:
    if not spec:
        return SystemClock()
    try:
        return parse_clock(spec)
    except ValueError as exc:
        raise click.BadParameter(f"{spec!r}: {exc}", param_hint="--clock") from None


@click.command("run")
@click.option("--once", is_flag=True, help="Run every job once, in order, and exit.")
@click.option(
    "--job",
    "job_ids",
    multiple=True,
    type=click.Choice([j.id for j in all_jobs()]),
    help="With --once: only these jobs (repeatable).",
)
@click.option(
    "--clock",
    "clock_spec",
    metavar="ISOxSPEED|file:PATH",
    help="Simulated time for tests and demos: 2026-11-02T06:00:00+00:00x3600 runs 3600 times "
    "faster; file:PATH reads the time from a file that a test steps by hand.",
)
@format_option(json_help="Same as --format json (with --once): one JSON object on stdout.")
@pass_app
def run(
    app: App,
    once: bool,
    job_ids: tuple[str, ...],
    clock_spec: str | None,
    fmt: str,
    as_json: bool,
) -> None:
    """The scheduler: polls, crawls, harvests, verifies, re-checks, sends the digest.

    One scheduler is active per database; a second one stands by and takes over when the
    first dies. With several config files it runs every job for each organisation (or only
    for --org NAME). SIGTERM or SIGINT stops taking jobs, lets running crawls finish (within
    scheduler.stop_grace_seconds) and exits 0.
    """
    engine = app.engine()
    configs = app.configs if app.org_option is None else (app.config,)
    rt = Runtime(configs[0], app.database_url, engine, _clock(clock_spec))
    others = [Runtime(c, rt.db_url, engine, rt.clock, rt.stop) for c in configs[1:]]
    install_signal_handlers(rt.stop)
    if once:
        jobs = [j for j in all_jobs() if not job_ids or j.id in job_ids]
        results = run_once_each([rt, *others], jobs)
        failed = [job_id for job_id, stats in results.items() if stats is None]
        if wants_json(fmt, as_json):  # each job's stats as recorded; null: it failed
            echo_json({"jobs": results, "failed": failed})
        else:
            _print_once(results, app.console)
        if failed:
            raise Failure(f"{len(failed)} job(s) failed: {', '.join(failed)}")
        return
    if job_ids or wants_json(fmt, as_json):
        raise click.UsageError("--job and --format json only make sense with --once")

    def say(message: str) -> None:
        click.echo(f"mediamon run: {message}", err=True)

    paths = {c.organisation.name: Path(c.path) if c.path else None for c in configs}
    code = run_daemon(
        rt,
        paths[rt.config.organisation.name],
        on_event=say,
        others=[(o, paths[o.config.organisation.name]) for o in others],
    )
    sys.exit(code)


def _print_once(results: Mapping[str, Mapping[str, Any] | None], console: Console) -> None:
    """`run --once`'s table: each job's result and counters in words."""
    table = Table(title="run --once")
    for column in ("job", "result"):
        table.add_column(column, overflow="fold")
    for job_id, stats in results.items():
        if stats is None:
            summary = "failed (see: mediamon status)"
        else:  # counters as words, never raw key=value cut mid-word (#18)
            status = stats.get("exit_status")
            result = run_result(status if isinstance(status, int) else 0)
            summary = f"{result}: {stats_line(dict(stats))}"
            if stats.get("error"):
                summary += f" ({stats['error']})"
        table.add_row(job_id, summary)
    console.print(table)
