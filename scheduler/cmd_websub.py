"""``mediamon websub list`` and WebSub in ``mediamon status`` (#21).

WebSub works unseen (the daemon's ``websub`` job subscribes, ``mediamon serve`` takes the
pushes); these views are how a user learns whether it works at all: which feeds are
subscribed, whose lease ran out, which hub refuses, and whether pushes are being refused.
Secrets and callback tokens are never shown: the token is the callback's only guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from crawler.storage.db import session_scope
from crawler.storage.websub import Overview, Subscription, subscriptions
from scheduler.context import App
from scheduler.output import echo_json, format_option, wants_json

pass_app = click.make_pass_decorator(App)

#: The order states are shown in: the working ones first.
STATE_ORDER = ("active", "subscribing", "unsubscribing", "denied", "unsubscribed")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def _stamp(value: datetime | None) -> str:
    """A date over its time: two narrow lines rather than one wide one."""
    return value.strftime("%Y-%m-%d\n%H:%M") if value else "—"


def shown_state(sub: Subscription, now: datetime) -> str:
    """The stored state, except an active lease that already ended reads "expired": the hub
    stopped pushing, whatever the row says, until the ``websub`` job renews it."""
    if sub.state == "active" and sub.expires_at is not None and sub.expires_at <= now:
        return "expired"
    return sub.state


def _ordered(states: dict[str, int]) -> list[tuple[str, int]]:
    known = [(s, states[s]) for s in STATE_ORDER if s in states]
    return known + sorted((s, n) for s, n in states.items() if s not in STATE_ORDER)


def overview_json(enabled: bool, ov: Overview) -> dict[str, object]:
    """WebSub in `status --format json`: the counts as numbers, times as ISO strings."""
    return {
        "enabled": enabled,
        "subscriptions": ov.total,
        "states": dict(_ordered(ov.states)),
        "expired": ov.expired,
        "next_expiry": _iso(ov.next_expiry),
        "next_expiry_topic": ov.next_topic or None,
        "pushes": ov.pushes,
        "refused": ov.refused,
        "with_errors": ov.with_errors,
    }


def overview_lines(enabled: bool, ov: Overview) -> list[Text]:
    """WebSub in the `status` table view: nothing when it is off and nothing was ever
    subscribed; else one summary line and a warning line per problem."""
    if not enabled and not ov.total:
        return []
    head = "WebSub" + ("" if enabled else " (disabled in the config)") + ": "
    if not ov.total:
        why = "no watched feed advertises a hub, or the websub job has not run"
        return [Text(f"{head}no subscriptions yet ({why})")]
    states = ", ".join(f"{n} {s}" for s, n in _ordered(ov.states))
    line = f"{head}{ov.total} subscription(s): {states}; {ov.pushes} push(es) taken"
    if ov.next_expiry is not None:
        line += f"; next lease ends {_when(ov.next_expiry)} UTC ({ov.next_topic})"
    lines = [Text(line)]
    see = "see `mediamon websub list`"
    if ov.expired:
        why = "is the daemon's websub job running?"
        text = f"WebSub: {ov.expired} active lease(s) expired without renewal ({why})"
        lines.append(Text(text, style="bold red"))
    if ov.refused:
        why = "bad or missing signature, another topic, or no feed"
        text = f"WebSub: {ov.refused} push(es) refused ({why}): {see}"
        lines.append(Text(text, style="bold red"))
    if ov.with_errors:
        text = f"WebSub: {ov.with_errors} subscription(s) with an error: {see}"
        lines.append(Text(text, style="yellow"))
    return lines


def subscription_json(sub: Subscription, now: datetime) -> dict[str, object]:
    """One subscription for `websub list --format json` (no token, no secret)."""
    return {
        "topic": sub.topic,
        "hub": sub.hub,
        "state": shown_state(sub, now),
        "stored_state": sub.state,
        "source_id": sub.source_id,
        "requested_at": _iso(sub.requested_at),
        "verified_at": _iso(sub.verified_at),
        "lease_expires_at": _iso(sub.expires_at),
        "last_push_at": _iso(sub.last_push_at),
        "pushes": sub.pushes,
        "refused": sub.refused,
        "last_error": sub.last_error,
    }


def print_subscriptions(subs: Sequence[Subscription], now: datetime, console: Console) -> None:
    """One row per subscription; the hub and the last error sit under the topic, so the URLs
    get the width they need and a terminal of 80 columns folds as little as it can."""
    table = Table(title="WebSub subscriptions (times in UTC)", show_lines=True)
    table.add_column("topic, hub, last error", overflow="fold", ratio=1)
    for column in ("state", "lease ends", "last push", "pushes"):
        table.add_column(column, overflow="fold")
    for sub in subs:
        cell = Text(f"{sub.topic}\nhub: {sub.hub}")
        if sub.last_error:
            cell.append(f"\n{sub.last_error[:200]}", style="red")
        table.add_row(
            cell,
            shown_state(sub, now),
            _stamp(sub.expires_at),
            _stamp(sub.last_push_at),
            f"{sub.pushes}" + (f"\n{sub.refused} refused" if sub.refused else ""),
        )
    console.print(table)


@click.group("websub")
def websub() -> None:
    """WebSub subscriptions: which feeds push to us (see README, "WebSub")."""


@websub.command("list")
@format_option()
@pass_app
def websub_list(app: App, fmt: str, as_json: bool) -> None:
    """Every WebSub subscription: topic, hub, state, lease end, last push, last error."""
    now = app.now()
    with session_scope(app.engine()) as session:
        subs = subscriptions(session, app.config.organisation.name)
    if wants_json(fmt, as_json):
        echo_json({"subscriptions": [subscription_json(s, now) for s in subs]})
        return
    if not subs:
        hint = "" if app.config.websub.enabled else " ([websub] enabled is false in the config)"
        app.console.print(f"No WebSub subscriptions{hint}.", markup=False)
        return
    print_subscriptions(subs, now, app.console)
