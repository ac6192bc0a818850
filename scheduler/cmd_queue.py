"""Queue mode on the command line (#19): enqueue-and-wait for ``poll``/``linkbacks``,
``mediamon queue dead [--retry]``, and the queue part of ``mediamon status``.

Redis refusing connections is a one-line error and exit status 2 here (a person is at the
terminal); the daemon and the workers wait with backoff instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from crawler.config import Config
from scheduler.context import App, Failure
from scheduler.output import format_option, wants_json
from scheduler.queue.broker import QueueUnavailable, where
from scheduler.queue.enqueue import wait_for_runs
from scheduler.queue.fleet import dead_messages, fleet_status, retry_dead
from scheduler.queue.groups import Group
from scheduler.queue.waiting import QueueHandle, enqueue, open_queue, summed

R = TypeVar("R")

pass_app = click.make_pass_decorator(App)


def _open(config: Config) -> QueueHandle:
    try:
        return open_queue(config)
    except QueueUnavailable as exc:
        raise Failure(str(exc), exit_code=2) from None


def run_queued(
    app: App, groups: Sequence[Group], report_type: type[R], *, no_wait: bool
) -> R | None:
    """Enqueue the groups; with ``no_wait`` print the run ids and return None, else wait
    for the workers and return the summed report."""
    engine = app.engine()
    handle = _open(app.config)
    try:
        done = enqueue(handle, app.config, engine, groups)
    finally:
        handle.close()
    run_ids = [d.run_id for d in done if d.run_id is not None]
    for item in done:
        if item.run_id is None:
            app.err_console.print(
                f"{item.group.kind} {item.group.name}: already queued or running; not queued again"
            )
    if no_wait:
        for item in done:
            if item.run_id is not None:
                click.echo(f"{item.run_id}\t{item.group.kind}\t{item.group.name}")
        return None
    if run_ids:
        app.err_console.print(f"queued {len(run_ids)} run(s); waiting for the workers")
    wait_for_runs(engine, run_ids)
    return summed(report_type, engine, run_ids)


def queue_status(config: Config) -> dict[str, Any]:
    """The queue part of ``status --json`` (``{"mode": "embedded"}`` without [queue])."""
    if not config.queue.enabled:
        return {"mode": "embedded"}
    handle = _open(config)
    try:
        fleet = fleet_status(handle.client, config.queue, where(config.queue))
    finally:
        handle.close()
    return {"mode": "queue", **fleet.to_json()}


def print_queue_status(data: dict[str, Any], console: Console, heartbeat_timeout: float) -> None:
    if data["mode"] == "embedded":
        return
    console.print(f"Queue mode: Redis {data['url']}, namespace {data['prefix']}")
    now = datetime.now(UTC).timestamp()
    workers = Table(title="Workers")
    for column in ("host", "pid", "flows", "last heartbeat", "runs done"):
        workers.add_column(column)
    for w in data["workers"]:
        age = now - float(w["heartbeat"])
        beat = f"{age:.0f} s ago" + (" (silent)" if age > heartbeat_timeout else "")
        workers.add_row(w["host"], str(w["pid"]), ",".join(w["flows"]), beat, str(w["runs_done"]))
    console.print(workers)
    flows = Table(title="Queues")
    for column in ("flow", "waiting", "retrying", "in progress", "oldest waiting", "dead"):
        flows.add_column(column, justify="right")
    for f in data["flows"]:
        oldest = f["oldest_age_seconds"]
        flows.add_row(
            f["flow"],
            str(f["waiting"]),
            str(f["delayed"]),
            str(f["in_progress"]),
            "-" if oldest is None else f"{oldest:.0f} s",
            str(f["dead"]),
        )
    console.print(flows)


@click.group("queue")
def queue() -> None:
    """The queue of scale-out mode (needs [queue] in the config)."""


@queue.command("dead")
@click.option("--retry", is_flag=True, help="Put every dead-lettered message back on its queue.")
@format_option(json_help="Same as --format json: one JSON object per line on stdout.")
@pass_app
def dead(app: App, retry: bool, fmt: str, as_json: bool) -> None:
    """List the dead-lettered messages and why they died (or requeue them with --retry)."""
    config = app.config
    if not config.queue.enabled:
        raise Failure("queue: no [queue] url in the config (embedded mode has no queue)", 2)
    handle = _open(config)
    try:
        if retry:
            count = retry_dead(handle.client, handle.broker, config.queue)
            app.console.print(f"requeued {count} dead-lettered message(s)")
            return
        items = dead_messages(handle.client, config.queue)
    finally:
        handle.close()
    if wants_json(fmt, as_json):
        for item in items:
            click.echo(json.dumps(item.__dict__))
        return
    if not items:
        app.console.print("No dead-lettered message.")
        return
    table = Table(title="Dead letters")
    for column in ("flow", "group", "run", "died", "reason"):
        table.add_column(column, overflow="fold")
    for item in items:
        died = datetime.fromtimestamp(item.died_at, UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(item.flow, item.group, str(item.run_id), died, item.reason)
    app.console.print(table)
