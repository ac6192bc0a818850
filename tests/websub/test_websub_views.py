"""WebSub visible to the user (#21): `mediamon status` counts the subscriptions per state, the
expired leases, the nearest lease end and the refused pushes; `mediamon websub list` shows each
subscription, as a table or JSON, never with its token or secret. Rows are written by the
storage functions the job and the callback use, on databases built by the migrations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from rich.console import Console
from sqlalchemy.engine import Engine

from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.websub import (
    Overview,
    Subscription,
    note_error,
    overview,
    record_push,
    request,
    set_state,
    subscriptions,
)
from scheduler.cli import cli
from scheduler.cmd_websub import overview_lines, print_subscriptions
from tests.helpers import write_config

CONFIG = """
[organisation]
name = "Orbis Union"
timezone = "Europe/Zurich"

[[queries]]
name = "org"
query = '"Orbis Union"'

[websub]
enabled = true
callback_url = "https://mediamon.example"
"""

#: The CLI reads the wall clock; leases are days away from it, so no test hangs on timing.
NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
SECRET = "s3cret-never-shown"
TOKENS = {name: (name * 43)[:43] for name in "abcde"}


def _seed(db_url: str) -> None:
    """Four subscriptions of Orbis Union (one per state worth telling apart) and one of
    another organisation that must never be counted."""
    engine = make_engine(db_url)
    upgrade(engine)
    with session_scope(engine) as s:

        def sub(org: str, name: str, state: str) -> int:
            topic = f"https://{name}.example/feed"
            return request(
                s, org, None, topic, f"https://hub-{name}.example/", state=state,
                token=TOKENS[name], secret=SECRET, now=NOW - 20 * DAY,
            ).id  # fmt: skip

        fresh = sub("Orbis Union", "a", "subscribing")
        set_state(s, fresh, "active", NOW - DAY, lease_seconds=int((30 * DAY).total_seconds()))
        record_push(s, fresh, NOW - DAY)
        record_push(s, fresh, NOW - DAY / 2)
        record_push(s, fresh, NOW - DAY / 4, refused="invalid X-Hub-Signature")
        stale = sub("Orbis Union", "b", "subscribing")
        set_state(s, stale, "active", NOW - 20 * DAY, lease_seconds=int((10 * DAY).total_seconds()))
        pending = sub("Orbis Union", "c", "subscribing")
        note_error(s, pending, "hub answered HTTP 500")
        sub("Orbis Union", "d", "denied")
        other = sub("Another Org", "e", "subscribing")
        set_state(s, other, "active", NOW, lease_seconds=3600)
        record_push(s, other, NOW, refused="unsigned content (no X-Hub-Signature)")
    engine.dispose()


def _invoke(
    tmp_path: Path, db_url: str, *args: str, config: str = CONFIG, columns: int = 80
) -> Result:
    path = write_config(tmp_path, config)
    return CliRunner().invoke(
        cli, ["--config", str(path), "--db", db_url, *args], env={"COLUMNS": str(columns)}
    )


def test_overview_counts_one_organisation(db_url: str) -> None:
    _seed(db_url)
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        ov = overview(session, "Orbis Union", NOW)
        empty = overview(session, "Nobody", NOW)
    engine.dispose()
    assert ov.states == {"active": 2, "subscribing": 1, "denied": 1}
    assert (ov.total, ov.expired, ov.pushes, ov.refused, ov.with_errors) == (4, 1, 2, 1, 2)
    assert ov.next_expiry == NOW + 29 * DAY
    assert ov.next_topic == "https://a.example/feed"
    assert empty == Overview({}, 0, None, "", 0, 0, 0)


def test_status_json_has_websub(tmp_path: Path, db_url: str) -> None:
    _seed(db_url)
    result = _invoke(tmp_path, db_url, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    websub = json.loads(result.stdout)["websub"]
    assert websub == {
        "enabled": True,
        "subscriptions": 4,
        "states": {"active": 2, "subscribing": 1, "denied": 1},
        "expired": 1,
        "next_expiry": (NOW + 29 * DAY).isoformat(),
        "next_expiry_topic": "https://a.example/feed",
        "pushes": 2,
        "refused": 1,
        "with_errors": 2,
    }


def test_status_table_tells_states_expiry_and_refused_pushes(tmp_path: Path, db_url: str) -> None:
    _seed(db_url)
    result = _invoke(tmp_path, db_url, "status")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # the console folds long lines at 80 columns
    assert "WebSub: 4 subscription(s): 2 active, 1 subscribing, 1 denied; 2 push(es)" in text
    assert f"next lease ends {NOW + 29 * DAY:%Y-%m-%d %H:%M} UTC" in text
    assert "1 active lease(s) expired without renewal" in text
    assert "1 push(es) refused" in text
    assert "2 subscription(s) with an error" in text


def test_status_without_websub_says_nothing_of_it(tmp_path: Path, sqlite_url: str) -> None:
    upgrade(make_engine(sqlite_url))
    config = CONFIG.replace("enabled = true", "enabled = false")
    result = _invoke(tmp_path, sqlite_url, "status", config=config)
    assert result.exit_code == 0, result.output
    assert "WebSub:" not in result.stdout
    assert "WebSub (" not in result.stdout
    data = json.loads(_invoke(tmp_path, sqlite_url, "status", "--json", config=config).stdout)
    assert data["websub"]["enabled"] is False
    assert data["websub"]["subscriptions"] == 0


def test_enabled_without_subscriptions_says_why() -> None:
    (line,) = overview_lines(True, Overview({}, 0, None, "", 0, 0, 0))
    assert "no subscriptions yet" in line.plain
    disabled = overview_lines(False, Overview({"active": 1}, 0, None, "", 0, 0, 0))
    assert disabled[0].plain.startswith("WebSub (disabled in the config): 1 subscription(s)")


def test_websub_list_json(tmp_path: Path, db_url: str) -> None:
    _seed(db_url)
    result = _invoke(tmp_path, db_url, "websub", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert SECRET not in result.stdout
    assert not any(token in result.stdout for token in TOKENS.values())
    subs = json.loads(result.stdout)["subscriptions"]
    assert [(s["topic"], s["state"]) for s in subs] == [
        ("https://a.example/feed", "active"),
        ("https://b.example/feed", "expired"),
        ("https://c.example/feed", "subscribing"),
        ("https://d.example/feed", "denied"),
    ]
    first = subs[0]
    assert first["hub"] == "https://hub-a.example/"
    assert first["lease_expires_at"] == (NOW + 29 * DAY).isoformat()
    assert first["last_push_at"] == (NOW - DAY / 2).isoformat()
    assert (first["pushes"], first["refused"]) == (2, 1)
    assert first["last_error"] == "invalid X-Hub-Signature"
    assert subs[1]["stored_state"] == "active"
    assert subs[2]["last_error"] == "hub answered HTTP 500"
    alias = _invoke(tmp_path, db_url, "websub", "list", "--json")
    assert json.loads(alias.stdout) == {"subscriptions": subs}


def test_websub_list_table_fits_80_columns(tmp_path: Path, sqlite_url: str) -> None:
    _seed(sqlite_url)
    result = _invoke(tmp_path, sqlite_url, "websub", "list")
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    wide = _invoke(tmp_path, sqlite_url, "websub", "list", columns=200).stdout
    text = " ".join(wide.split())
    for expected in ("hub: https://hub-a.example/", "expired", "denied", "1 refused"):
        assert expected in text
    assert "hub answered HTTP 500" in text
    assert f"{NOW + 29 * DAY:%Y-%m-%d}" in text
    assert SECRET not in result.stdout + wide


def test_websub_list_empty_says_so(tmp_path: Path, sqlite_url: str) -> None:
    upgrade(make_engine(sqlite_url))
    result = _invoke(tmp_path, sqlite_url, "websub", "list")
    assert result.exit_code == 0, result.output
    assert "No WebSub subscriptions." in result.stdout
    off = _invoke(tmp_path, sqlite_url, "websub", "list", config=CONFIG.replace("true", "false"))
    assert "[websub] enabled is false" in off.stdout


def test_table_renders_a_hostile_error_as_text() -> None:
    """A hub's error text is shown as is: rich markup in it is not interpreted."""
    hostile = Subscription(
        1, "Orbis Union", None, "https://a.example/feed", "https://hub.example/", "t", SECRET,
        "denied", None, 0, 0, "[bold]x[/bold] [link=https://evil.example]y[/link]", NOW,
        None, None,
    )  # fmt: skip
    console = Console(width=120, record=True)
    print_subscriptions([hostile], NOW, console)
    assert "[bold]x[/bold] [link=https://evil.example]y[/link]" in console.export_text()


def _removed_feeds_subscription(db_url: str, *, lease: timedelta) -> Engine:
    """A migrated database holding one active subscription, verified a day ago with ``lease``,
    of a feed no longer in the config, whose hub is a closed local port."""
    engine = make_engine(db_url)
    upgrade(engine)
    with session_scope(engine) as s:
        sub = request(
            s, "Orbis Union", None, "https://gone.example/feed", "http://127.0.0.1:9/",
            state="subscribing", token=TOKENS["a"], secret=SECRET, now=NOW - DAY,
        )  # fmt: skip
        set_state(s, sub.id, "active", NOW - DAY, lease_seconds=int(lease.total_seconds()))
    return engine


def test_a_pass_whose_hub_requests_fail_is_not_nothing_to_do(
    tmp_path: Path, sqlite_url: str
) -> None:
    """A removed feed's unsubscribe that fails (the hub is a closed local port, or refused by
    the address guard) is an error of the pass and of the subscription, shown by `websub
    list`: not "ok: nothing to do"."""
    from crawler.config import load_config
    from crawler.websub.manager import run_pass

    engine = _removed_feeds_subscription(sqlite_url, lease=30 * DAY)
    stats = run_pass(load_config(write_config(tmp_path, CONFIG)), engine, NOW)
    engine.dispose()
    assert not stats.idle
    assert stats.errors[0].startswith("unsubscribe https://gone.example/feed:")
    (listed,) = json.loads(_invoke(tmp_path, sqlite_url, "websub", "list", "--json").stdout)[
        "subscriptions"
    ]
    assert listed["state"] == "unsubscribing"
    assert listed["last_error"].startswith("unsubscribe: ")


def test_an_unconfirmed_unsubscription_is_asked_again_once_a_recheck_then_ends_with_the_lease(
    tmp_path: Path, sqlite_url: str
) -> None:
    """A removed feed's unsubscribe failed (the hub is a closed local port): the next pass
    within ``recheck_hours`` leaves the hub alone, a pass after it asks again, and once the
    lease has run out the subscription is over without asking."""
    from crawler.config import load_config
    from crawler.websub.manager import run_pass

    engine = _removed_feeds_subscription(sqlite_url, lease=3 * DAY)
    config = load_config(write_config(tmp_path, CONFIG))
    hours = timedelta(hours=config.websub.recheck_hours)
    first = run_pass(config, engine, NOW)
    assert (first.unsubscribed, len(first.errors)) == (0, 1)
    soon = run_pass(config, engine, NOW + hours / 2)
    assert (soon.unsubscribed, soon.errors) == (0, [])  # not asked again yet
    later = run_pass(config, engine, NOW + hours + timedelta(minutes=1))
    assert later.errors
    assert later.errors[0].startswith("unsubscribe https://gone.example/feed:")
    with session_scope(engine) as s:
        (row,) = subscriptions(s, "Orbis Union")
    assert row.state == "unsubscribing"
    assert row.requested_at == NOW + hours + timedelta(minutes=1)
    over = run_pass(config, engine, NOW + 2 * DAY + timedelta(minutes=1))
    assert (over.unsubscribed, over.errors) == (1, [])
    with session_scope(engine) as s:
        (row,) = subscriptions(s, "Orbis Union")
    engine.dispose()
    assert (row.state, row.last_error) == ("unsubscribed", "lease ended")
