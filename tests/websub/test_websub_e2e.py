"""WebSub end to end (#21): the local hub (``sampleweb.hub``), the real receiver under uvicorn,
a migrated SQLite database, the real alert sender and a real webhook sink.

The websub job finds the hub the feed advertises and subscribes; the hub verifies our intent
on the callback; a published entry is pushed, signed, through the poll's own pipeline into
the outbox, and the sender delivers it. Publish-to-alert latency is measured and printed
(``WEBSUB_LATENCY``), never asserted: the assertions wait for events. Then exactly once
against the poll (both orders), the bad inputs, renewal and unsubscription.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from crawler.config import Config, load_config
from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import list_mentions
from crawler.storage.migrate import upgrade
from crawler.storage.sources import sync_sources
from crawler.storage.websub import Subscription, request, subscriptions
from crawler.websub.manager import callback_url, run_pass
from sampleweb.hub import Item, LocalHub, push_raw, sign, start_hub, stop_hub, verify_raw
from scheduler.cli import cli
from scheduler.queue.alert_loop import AlertLoop
from tests.alerts.sink import Sink, start_sink, stop_sink
from tests.feeds.conftest import toml_string
from tests.receiver.conftest import Live, start, stop

pytestmark = pytest.mark.slow

ORG = "Orbis"
EXE = Path(sys.executable).with_name("mediamon")


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclass
class World:
    hub: LocalHub
    sink: Sink
    live: Live
    engine: Engine
    config: Config
    config_path: Path
    tmp: Path

    def sub(self) -> Subscription:
        with session_scope(self.engine) as s:
            return subscriptions(s, ORG)[0]

    def finds(self) -> list[str]:
        with session_scope(self.engine) as s:
            return sorted(m.url for m in list_mentions(s, ORG))

    def alerted(self) -> list[str]:
        return [str(r.body["message"]).splitlines()[-1] for r in list(self.sink.received)]

    def poll(self) -> None:
        done = subprocess.run(
            [str(EXE), "--config", str(self.config_path), "poll", "--all"],
            capture_output=True, text=True, timeout=240,
            env={k: v for k, v in os.environ.items() if not k.startswith("MEDIAMON_")},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]


def _write_config(path: Path, hub: LocalHub, sink: Sink, db: Path, callback: str, *,
                  with_source: bool = True) -> Config:  # fmt: skip
    source = (
        f'[[sources]]\nname = "wire"\nurl = {toml_string(hub.topic("news"))}\nkind = "press"\n'
        if with_source
        else ""
    )
    path.write_text(
        f"""
[organisation]
name = "{ORG}"
timezone = "UTC"

[[queries]]
name = "org"
query = '"Orbis Union"'

{source}
[[alerts]]
name = "press"
urls = [{toml_string(sink.url)}]
queries = ["org"]

[alerting]
rate_limit_per_hour = 1000
send_every_seconds = 0.05

[websub]
enabled = true
callback_url = {toml_string(callback)}
lease_seconds = 3600
renew_before_seconds = 600

[crawl]
allow_hosts = ["127.0.0.1:{hub.server.server_address[1]}"]  # the hub, once its feed is gone

[database]
url = {toml_string(f"sqlite:///{db}")}
""",
        encoding="utf-8",
    )
    return load_config(path, env={})


def item(hub: LocalHub, n: int, *, about_us: bool = True) -> Item:
    """An entry whose link is an article page the local hub serves (the poll reads it)."""
    words = "Orbis Union opened a new office" if about_us else "Weather was fine"
    return Item(f"Story {n}", hub.article_url(n), f"{words} ({n}).", datetime.now(UTC))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    hub, sink = start_hub(), start_sink()
    db = tmp_path / "mediamon.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    path = tmp_path / "mediamon.toml"
    serving = _write_config(path, hub, sink, db, "http://127.0.0.1:9")
    live = start(serving, make_engine(f"sqlite:///{db}"), clock=lambda: datetime.now(UTC))
    config = _write_config(path, hub, sink, db, f"http://127.0.0.1:{live.port}")
    with session_scope(engine) as s:
        sync_sources(s, config, datetime.now(UTC))
    hub.publish("news", [item(hub, 0, about_us=False)])
    w = World(hub, sink, live, engine, config, path, tmp_path)
    yield w
    live.check_health = False
    stop(live)
    stop_sink(sink)
    stop_hub(hub)
    engine.dispose()


def _cli(w: World, *args: str) -> Any:
    """A `mediamon` command's JSON output, on the world's config and database."""
    db = f"sqlite:///{w.tmp / 'mediamon.db'}"  # explicit: a $MEDIAMON_DATABASE_URL must not win
    done = CliRunner().invoke(cli, ["--config", str(w.config_path), "--db", db, *args])
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def subscribe(w: World) -> Subscription:
    stats = run_pass(w.config, w.engine, datetime.now(UTC))
    assert (stats.checked, stats.subscribed, stats.errors) == (1, 1, [])
    assert w.hub.wait_for(lambda: len(w.hub.subscribers) == 1), w.hub.verifications
    wait_until(lambda: w.sub().state == "active", "the subscription to be active")
    return w.sub()


def test_push_reaches_the_channel_once_and_fast(world: World) -> None:
    w = world
    sub = subscribe(w)
    assert sub.topic == w.hub.topic("news")
    assert sub.hub == w.hub.hub_url
    assert w.hub.verifications == [("subscribe", sub.topic, 200, True)]
    sender = AlertLoop(w.config, w.engine, lambda: datetime.now(UTC))
    sender.start()
    try:
        pushes = w.hub.publish("news", [item(w.hub, 0, about_us=False), item(w.hub, 1)])
        assert [p.status for p in pushes] == [200]
        wait_until(lambda: w.hub.article_url(1) in w.alerted(), "the pushed find's alert")
        latency = time.monotonic() - pushes[0].sent_at
        print(f"WEBSUB_LATENCY publish->alert {latency * 1000:.0f} ms")
        # The same entry polled afterwards: known, no second find, no second alert.
        w.poll()
        # Poll first, push later: an entry the poll stored is not new to the push either.
        w.hub.feeds["news"] = [item(w.hub, 0, about_us=False), item(w.hub, 1), item(w.hub, 2)]
        w.poll()
        wait_until(lambda: w.hub.article_url(2) in w.alerted(), "the polled find's alert")
        again = w.hub.publish(
            "news", [item(w.hub, 0, about_us=False), item(w.hub, 1), item(w.hub, 2)]
        )
        assert [p.status for p in again] == [200]
        w.hub.publish("news", [item(w.hub, 1), item(w.hub, 2), item(w.hub, 3)])
        wait_until(lambda: w.hub.article_url(3) in w.alerted(), "a later push's alert")
    finally:
        sender.stop()
    assert w.finds() == [w.hub.article_url(n) for n in (1, 2, 3)]
    assert sorted(w.alerted()) == w.finds()
    assert len(set(w.sink.idempotency_keys())) == len(w.sink.received) == 3
    assert w.sub().pushes == 3


def test_bad_pushes_and_verifications_are_refused_and_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    w = world
    sub = subscribe(w)
    callback = callback_url(w.config, sub.token)
    body = w.hub.document("news").replace(b"</channel>", b"")  # any body: refused first
    w.hub.feeds["news"] = [item(w.hub, 7)]
    doc = w.hub.document("news")
    links = w.hub.links("news")
    caplog.set_level(logging.WARNING, logger="crawler.receiver.websub")
    assert push_raw(callback, doc, link=links) == 403  # unsigned
    assert push_raw(callback, doc, signature=sign("not-the-secret", doc), link=links) == 403
    assert push_raw(callback, doc, signature=sign(sub.secret, body), link=links) == 403
    other = links.replace("/feeds/news", "/feeds/other")
    assert push_raw(callback, doc, signature=sign(sub.secret, doc), link=other) == 400
    unknown = callback_url(w.config, "x" * 43)
    assert push_raw(unknown, doc, signature=sign(sub.secret, doc), link=links) == 404
    big = doc + b" " * w.config.websub.max_body_bytes
    assert push_raw(callback, big, signature=sign(sub.secret, big), link=links) == 413
    assert w.finds() == [], "nothing refused was stored"
    assert w.sub().refused == 4
    # The user sees them: `status` counts the refused pushes, `websub list` says the last why.
    seen = _cli(w, "status", "--format", "json")["websub"]
    assert (seen["states"], seen["refused"], seen["pushes"]) == ({"active": 1}, 4, 0)
    (listed,) = _cli(w, "websub", "list", "--format", "json")["subscriptions"]
    assert (listed["state"], listed["refused"]) == ("active", 4)
    assert listed["last_error"].startswith("unknown topic ")
    assert "/feeds/other" in listed["last_error"]
    said = caplog.text
    assert "unsigned content" in said
    assert "invalid X-Hub-Signature" in said
    assert "unknown topic" in said
    assert "unknown callback" in said
    # Verifications of intent nobody asked for: refused, the subscription unchanged.
    assert verify_raw(unknown, "subscribe", sub.topic, "c1") == (404, "")
    assert verify_raw(callback, "unsubscribe", sub.topic, "c2") == (404, "")
    assert verify_raw(callback, "subscribe", w.hub.topic("other"), "c3") == (404, "")
    assert w.sub().state == "active"
    assert "websub verification refused" in caplog.text
    # A validly signed push of our topic still goes through after all that.
    assert push_raw(callback, doc, signature=sign(sub.secret, doc, "sha512"), link=links) == 200
    assert w.finds() == [w.hub.article_url(7)]


def test_leases_are_renewed_and_removed_sources_unsubscribed(world: World) -> None:
    w = world
    sub = subscribe(w)
    assert sub.expires_at is not None
    quiet = run_pass(w.config, w.engine, datetime.now(UTC))
    assert (quiet.checked, quiet.subscribed, quiet.renewed) == (0, 0, 0)
    later = sub.expires_at - timedelta(seconds=300)  # inside renew_before_seconds
    renewed = run_pass(w.config, w.engine, later)
    assert (renewed.renewed, renewed.errors) == (1, [])
    assert w.hub.wait_for(lambda: len(w.hub.verifications) == 2)
    wait_until(lambda: (w.sub().expires_at or later) > sub.expires_at, "the renewed lease")
    assert w.sub().token == sub.token
    assert w.sub().state == "active"
    # The source leaves the config: unsubscribed, the hub verifies, no more pushes taken.
    callback = w.config.websub.callback_url
    removed = _write_config(
        w.config_path, w.hub, w.sink, w.tmp / "mediamon.db", callback, with_source=False
    )
    gone = run_pass(removed, w.engine, datetime.now(UTC))
    assert (gone.unsubscribed, gone.errors) == (1, [])
    assert w.hub.wait_for(lambda: not w.hub.subscribers)
    wait_until(lambda: w.sub().state == "unsubscribed", "the unsubscription")
    assert w.hub.verifications[-1] == ("unsubscribe", sub.topic, 200, True)
    doc = w.hub.document("news")
    token_url = callback_url(w.config, sub.token)
    assert push_raw(token_url, doc, signature=sign(sub.secret, doc)) == 410


def test_a_request_the_hub_never_verified_is_asked_again(world: World) -> None:
    w = world
    sub = subscribe(w)
    old = datetime.now(UTC) - timedelta(hours=25)
    with session_scope(w.engine) as s:  # as if the hub had never answered a day ago
        request(s, ORG, sub.source_id, sub.topic, sub.hub, state="subscribing",
                token="ignored", secret="ignored", now=old)  # fmt: skip
    fresh = run_pass(w.config, w.engine, old + timedelta(hours=1))
    assert (fresh.checked, fresh.subscribed) == (0, 0), "not before recheck_hours"
    again = run_pass(w.config, w.engine, datetime.now(UTC))
    assert (again.checked, again.subscribed, again.errors) == (1, 1, [])
    assert w.hub.wait_for(lambda: len(w.hub.verifications) == 2)
    wait_until(lambda: w.sub().state == "active", "the subscription to be active again")
    assert w.sub().token == sub.token, "the same callback"
