"""``mediamon alerts``: the alert rules, a test message, the sender by hand, the outbox (#21).

``alerts send`` is exactly what the daemon's ``alerts`` job does, for cron users and tests.
"""

from __future__ import annotations

from dataclasses import asdict

import click
from rich.table import Table
from rich.text import Text

from crawler.alert_config import AlertRule
from crawler.storage import outbox
from crawler.storage.db import session_scope
from reports.alerts.channels import channel_label, probe_rule
from reports.alerts.sender import send_due
from scheduler.context import App, Failure
from scheduler.hints import print_hint
from scheduler.output import echo_json, format_option, wants_json

pass_app = click.make_pass_decorator(App)


@click.group("alerts")
def alerts() -> None:
    """Instant alerts: rules, test messages, the sender and its outbox."""


@alerts.command("list")
@format_option()
@pass_app
def alerts_list(app: App, fmt: str, as_json: bool) -> None:
    """The configured alert rules and where they send."""
    config = app.config
    if wants_json(fmt, as_json):
        echo_json({"rules": [_rule_json(rule) for rule in config.alerts]})
        return
    if not config.alerts:
        app.console.print("No alert rules: add [[alerts]] to the config.")
        return
    table = Table("rule", "channels", "matches", "mode", "quiet hours")
    for rule in config.alerts:
        channels = ", ".join(channel_label(u) for u in rule.urls) or "email (smtp)"
        criteria = [
            f"kinds={','.join(k.value for k in rule.kinds)}" if rule.kinds else "",
            f"queries={','.join(rule.queries)}" if rule.queries else "",
            f"min_weight={rule.min_weight}" if rule.min_weight else "",
            f"languages={','.join(rule.languages)}" if rule.languages else "",
        ]
        mode = rule.mode if rule.mode == "instant" else f"batch every {rule.interval}"
        matches = " ".join(c for c in criteria if c) or "every new find"
        table.add_row(rule.name, channels, matches, mode, rule.quiet_hours or "-")
    app.console.print(table)


def _rule_json(rule: AlertRule) -> dict[str, object]:
    """A rule for `alerts list --format json`: its channels by label (URLs carry secrets)."""
    return {
        "name": rule.name,
        "channels": [channel_label(u) for u in rule.urls] or ["email (smtp)"],
        "kinds": [k.value for k in rule.kinds],
        "queries": list(rule.queries),
        "min_weight": rule.min_weight,
        "languages": list(rule.languages),
        "mode": rule.mode,
        "interval": rule.interval,
        "quiet_hours": rule.quiet_hours,
    }


@alerts.command("test")
@click.argument("rule_name", metavar="RULE")
@pass_app
def alerts_test(app: App, rule_name: str) -> None:
    """Send a test message through RULE's channels and print each channel's result."""
    rule = next((r for r in app.config.alerts if r.name == rule_name), None)
    if rule is None:
        known = ", ".join(r.name for r in app.config.alerts) or "none"
        raise Failure(f"no alert rule named {rule_name!r} (rules: {known})")
    results = probe_rule(app.config, rule, app.now())
    for result in results:
        if result.ok:
            app.console.print(f"[green]ok[/]      {result.label}")
        else:
            app.console.print(f"[red]failed[/]  {result.label}: {result.reason}")
    failed = [r for r in results if not r.ok]
    if failed:
        raise Failure(f"{len(failed)} of {len(results)} channel(s) of {rule_name!r} failed")


@alerts.command("send")
@pass_app
def alerts_send(app: App) -> None:
    """Deliver what is due in the outbox now (what the daemon's sender job does)."""
    stats = send_due(app.config, app.engine(), app.now())
    app.console.print(
        f"{stats.sent} sent, {stats.retrying} to retry, {stats.failed} failed, "
        f"{stats.summarised} summarised, {stats.held} held "
        f"({stats.queued} queued from {stats.expanded} new finds)"
    )
    for error in stats.errors[:10]:
        app.console.print(error, markup=False, highlight=False)
    if stats.failed:
        raise Failure(f"{stats.failed} alert(s) failed after their retries")


@alerts.command("outbox")
@click.option("--failed", "failed_only", is_flag=True, help="Only deliveries given up on.")
@click.option("--retry", is_flag=True, help="Queue the failed deliveries again.")
@click.option("--limit", default=50, show_default=True, help="How many rows to show.")
@format_option()
@pass_app
def alerts_outbox(
    app: App, failed_only: bool, retry: bool, limit: int, fmt: str, as_json: bool
) -> None:
    """The alert outbox, newest first; --retry queues failed deliveries again."""
    as_json = wants_json(fmt, as_json)
    org = app.config.organisation.name
    with session_scope(app.engine()) as session:
        if retry:
            count = outbox.retry_failed(session, org, app.now())
            print_hint(
                app.console,
                f"{count} failed alert(s) queued again; send them:",
                "mediamon alerts send",
            )
            return
        rows = outbox.list_deliveries(session, org, failed_only=failed_only, limit=limit)
    if as_json:
        echo_json({"deliveries": [asdict(row) for row in rows]})
        return
    if not rows:
        app.console.print("The outbox is empty." if not failed_only else "No failed alerts.")
        return
    table = Table(title="Alert outbox (times in UTC)")
    for column in ("id", "rule", "state", "tries", "created", "subject"):
        table.add_column(column, overflow="fold")
    for row in rows:
        subject = row.subject + (f" ({row.last_error})" if row.last_error else "")
        table.add_row(
            str(row.id),
            row.rule,
            row.state,
            str(row.attempts),
            f"{row.created_at:%Y-%m-%d %H:%M}",
            Text(subject),
        )
    app.console.print(table)
