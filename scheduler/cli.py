"""The `mediamon` command line: the composition root's face.

Every scheduled job is also a command here, so anything the daemon does can be run by hand.
Human output goes to the console (rich), machine output to stdout, logs to stderr; failures
exit non-zero with a one-line reason.
"""

from __future__ import annotations

import importlib
import logging
import sys
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from rich.text import Text

from crawler.config import ConfigError, load_config, mask_url
from crawler.domain import MentionKind, MentionStatus
from crawler.storage.db import DatabaseError, describe_storage_error, session_scope
from crawler.storage.mentions import list_mentions
from crawler.storage.migrate import upgrade
from crawler.storage.outbox import failed_count
from crawler.storage.runs import last_run_per_job, recent_runs, scheduled_next_runs
from crawler.storage.sources import source_states, sync_sources
from crawler.storage.websub import overview as websub_overview
from scheduler.context import App, Failure
from scheduler.hints import print_hint
from scheduler.logfilter import quiet_handled_warnings
from scheduler.output import (
    echo_json,
    format_option,
    print_jobs,
    print_mentions_table,
    print_runs,
    print_sources,
    status_json,
    wants_json,
    write_mentions_csv,
    write_mentions_json,
)

pass_app = click.make_pass_decorator(App)


#: Commands that live in their own modules (one module per concern), imported only when one
#: of them runs or help lists them: `mediamon worker`, `run` or `poll` never pays for the web
#: app's, the demo's or the ad-hoc crawl's imports (scrapy, trafilatura, apprise ...), and
#: every CLI process starts about a second sooner (#13).
LAZY_COMMANDS = {
    "alerts": "scheduler.cmd_alerts:alerts",
    "crawl": "scheduler.cmd_crawl:crawl",
    "demo": "scheduler.cmd_demo:demo",
    "digest": "scheduler.cmd_digest:digest",
    "linkbacks": "scheduler.cmd_linkbacks:linkbacks",
    "poll": "scheduler.cmd_poll:poll",
    "posts": "scheduler.cmd_posts:posts",
    "queue": "scheduler.cmd_queue:queue",
    "run": "scheduler.cmd_run:run",
    "serve": "scheduler.cmd_serve:serve",
    "sources": "scheduler.cmd_sources:sources",
    "token": "scheduler.cmd_users:token",
    "user": "scheduler.cmd_users:user",
    "web": "scheduler.cmd_web:web",
    "websub": "scheduler.cmd_websub:websub",
    "worker": "scheduler.cmd_worker:worker",
}


class _Commands(click.Group):
    """The command group: a database failure the user can fix (read-only, full disk) ends
    in one line and exit 3, whichever command met it, never in a traceback (#18). The
    commands of ``LAZY_COMMANDS`` are imported when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY_COMMANDS:
            return found
        module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{LAZY_COMMANDS[cmd_name]} is not a click command")
        self.add_command(command, cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            reason = describe_storage_error(exc)
            if reason is None:
                raise
            raise Failure(reason, exit_code=3) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_option",
    metavar="PATH",
    multiple=True,
    help="Config file (default ./mediamon.toml, or $MEDIAMON_CONFIG); repeat it, one file per "
    "organisation, to serve several organisations from one database.",
)
@click.option(
    "--org",
    "org_option",
    metavar="NAME",
    help="The organisation a command works for, when several are loaded.",
)
@click.option(
    "--db",
    "db_option",
    metavar="URL",
    help="Database URL (or $MEDIAMON_DATABASE_URL; default: the config's, sqlite beside it).",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.version_option(package_name="mediamon")
@click.pass_context
def cli(
    ctx: click.Context,
    config_option: tuple[str, ...],
    org_option: str | None,
    db_option: str | None,
    verbose: int,
) -> None:
    """mediamon: who wrote about us, who linked to our posts, mailed every morning."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.root.handlers:  # Scrapy resets the root level; handlers keep theirs
        handler.setLevel(level)
    if verbose == 0:
        quiet_handled_warnings(logging.root.handlers)
    app = App(config_option, db_option, org_option=org_option)
    ctx.obj = app
    ctx.call_on_close(app.close)


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def init(app: App, path: Path | None) -> None:
    """Write a commented starter config to PATH (default ./mediamon.toml)."""
    target = path or app.config_file
    if target.exists():
        raise Failure(f"{target} already exists; not overwriting it", exit_code=1)
    text = resources.files("crawler").joinpath("starter.toml").read_text(encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    try:
        load_config(target)
    except ConfigError as exc:  # the starter must always load; this guards the template
        raise Failure(f"internal error: starter config does not load: {exc}") from None
    print_hint(
        app.console,
        f"Wrote {target}. Next: edit it, then create the database:",
        f"mediamon --config {target} db upgrade",
    )


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@pass_app
def db_upgrade(app: App) -> None:
    """Create or migrate the database schema to this version."""
    engine = app.engine(migrated=False)
    try:
        before, after = upgrade(engine)
    except DatabaseError as exc:
        raise Failure(str(exc)) from None
    where = mask_url(app.database_url)
    if before == after:
        app.console.print(f"Database {where} is up to date (revision {after}).")
    else:
        app.console.print(f"Database {where} migrated from {before or 'empty'} to {after}.")
    with session_scope(engine) as session:
        for config in app.configs:  # every organisation loaded (#16)
            sync_sources(session, config, app.now())


@cli.command()
@format_option(json_help="Same as --format json: one JSON object on stdout.")
@pass_app
def status(app: App, fmt: str, as_json: bool) -> None:
    """Sources and their health, the scheduled jobs, the last runs (times in UTC), failed alerts,
    WebSub subscriptions (#21) and, in queue mode, the queue (#19)."""
    from scheduler.cmd_queue import print_queue_status, queue_status
    from scheduler.cmd_websub import overview_json, overview_lines
    from scheduler.jobs import all_jobs

    engine = app.engine()
    with session_scope(engine) as session:
        sync_sources(session, app.config, app.now())
        org = app.config.organisation.name
        states = source_states(session, org)
        last = last_run_per_job(session, org)
        runs = recent_runs(session, limit=10, orgs=[org])
        failed_alerts = failed_count(session, app.config.organisation.name)
        websub_now = websub_overview(session, org, app.now())
    queue_info = queue_status(app.config)
    websub_on = app.config.websub.enabled
    if wants_json(fmt, as_json):
        data = {**status_json(states, last, runs), "queue": queue_info}
        data["failed_alerts"] = failed_alerts
        data["websub"] = overview_json(websub_on, websub_now)
        echo_json(data)
        return
    print_sources(states, app.console)
    print_jobs(
        [(j.id, j.title) for j in all_jobs()], scheduled_next_runs(engine), last, app.console
    )
    print_runs(runs, app.console)
    if failed_alerts:
        print_hint(
            app.console,
            Text(f"{failed_alerts} alert(s) failed after their retries:", style="bold red"),
            "mediamon alerts outbox --failed",
            "mediamon alerts outbox --retry",
        )
    for line in overview_lines(websub_on, websub_now):
        app.console.print(line)
    print_queue_status(queue_info, app.console, app.config.queue.heartbeat_timeout_seconds)
    unhealthy = [s for s in states if s.health != "ok"]
    if unhealthy:
        names = ", ".join(f"{s.name} ({s.health})" for s in unhealthy)
        app.console.print(f"[bold red]{len(unhealthy)} source(s) need attention:[/] {names}")


def _parse_day(value: str | None, tz: ZoneInfo, *, end: bool) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime.combine(day, time(), tzinfo=tz)
            return (start + timedelta(days=1) if end else start).astimezone(UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD) or ISO datetime: {value!r}") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(UTC)


@cli.command()
@click.option("--since", metavar="D", help="First day (YYYY-MM-DD, organisation's timezone).")
@click.option("--until", metavar="D", help="Last day, inclusive.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in MentionKind]),
    help="Only these kinds (repeatable).",
)
@format_option(json_help="Same as --format json: JSON lines on stdout.", extra=("csv",))
@click.option("--all-statuses", is_flag=True, help="Include deleted and spam mentions.")
@pass_app
def mentions(
    app: App,
    since: str | None,
    until: str | None,
    kinds: tuple[str, ...],
    fmt: str,
    as_json: bool,
    all_statuses: bool,
) -> None:
    """List stored mentions (CSV and JSON lines go to stdout, for export)."""
    tz = app.config.organisation.tz
    since_at = _parse_day(since, tz, end=False)
    until_at = _parse_day(until, tz, end=True)
    engine = app.engine()
    with session_scope(engine) as session:
        rows = list_mentions(
            session,
            app.config.organisation.name,
            since=since_at,
            until=until_at,
            kinds=[MentionKind(k) for k in kinds],
            statuses=() if all_statuses else (MentionStatus.LIVE,),
        )
    if wants_json(fmt, as_json):
        write_mentions_json(rows, sys.stdout)
    elif fmt == "csv":
        write_mentions_csv(rows, sys.stdout)
    else:
        print_mentions_table(rows, app.console)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="mediamon")


if __name__ == "__main__":  # `python -m scheduler.cli`: how `worker --processes N` starts each
    main()
