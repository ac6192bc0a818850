"""`mediamon demo`: the whole cycle offline on the bundled sample web (see scheduler.demo)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from scheduler.context import App, Failure
from scheduler.demo import (
    DemoDirectoryInUse,
    DemoResult,
    prepare_directory,
    run_demo,
    summary_rows,
)
from scheduler.hints import print_hint

pass_app = click.make_pass_decorator(App)


@click.command("demo")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the demo config, database and digest (default: a new temp folder).",
)
@click.option("--send", is_flag=True, help="Also send the digest to a local SMTP sink.")
@pass_app
def demo(app: App, directory: Path | None, send: bool) -> None:
    """Run the whole cycle offline on the bundled sample web and compare with its truth."""
    target = directory or Path(tempfile.mkdtemp(prefix="mediamon-demo-"))
    started = time.monotonic()
    try:
        if prepare_directory(target):
            app.console.print(f"Resetting the previous demo in {target}")
    except DemoDirectoryInUse as exc:
        raise Failure(str(exc), exit_code=2) from None
    app.console.print(f"Sample web starting; working in {target}")
    try:
        result = run_demo(target, send=send)
    except OSError as exc:
        raise Failure(f"demo failed: {exc}") from None
    table = Table(title="Found vs the sample web's ground truth")
    for column in ("kind", "found", "expected"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    for kind, found, expected in summary_rows(result):
        style = "" if found == expected else "yellow"
        table.add_row(kind, str(found), str(expected), style=style)
    app.console.print(table)
    failed = [job for job, stats in result.jobs.items() if stats is None]
    if failed:
        print_hint(
            app.console,
            Text(f"jobs that failed: {', '.join(failed)}; see why:", style="red"),
            f"mediamon --config {result.config_path} status",
        )
    if send:
        app.console.print(f"Digest sent to the local SMTP sink: {result.send_message}")
    app.console.print(f"Done in {time.monotonic() - started:.0f} s.")
    print_next_steps(app, result)


def print_next_steps(app: App, result: DemoResult) -> None:
    """Where the digest is, how to open it, and commands that return results on the demo's
    database (the sample web stops with the demo: they read what was stored)."""
    config = result.config_path
    day = result.day.isoformat()
    app.console.print(f"Digest: {result.digest_html}", soft_wrap=True)
    app.console.print(f"  open it in a browser: xdg-open {result.digest_html}", soft_wrap=True)
    print_hint(
        app.console,
        "The sample web stopped with the demo, so commands that fetch (poll, crawl, "
        "linkbacks) fail against this config; these read the demo database:",
        f"mediamon --config {config} mentions --since {day} --until {day}",
        f"mediamon --config {config} mentions --kind pingback --format json",
        f"mediamon --config {config} digest --date {day} --out {result.directory / 'digest'}",
    )
    # One line rich never wraps (the command, the address and the password stay whole);
    # not on a line of its own: the lines above are the commands to try now (#18).
    print_hint(
        app.console,
        f"Newsroom: `mediamon --config {config} web`, then open "
        f"http://127.0.0.1:8080/ and sign in as {result.web_user} / {result.web_password}",
        whole=True,
    )
