"""Done-when of #21: on the sample web, a rule with a ``json://`` channel pointed at a local
HTTP sink receives each new matching find exactly once across two ``mediamon poll`` runs and
a restarted daemon (``mediamon run``, stopped with SIGTERM and started again).

Waits are for events (the sink's count, a probe find's alert), never for time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import list_mentions, record_mentions
from sampleweb.server.router import SampleWeb
from tests.alerts.sink import Sink
from tests.feeds.conftest import toml_string, world_sources, write_config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(480)]

EXE = Path(sys.executable).with_name("mediamon")


@pytest.fixture
def day_web() -> Iterator[SampleWeb]:
    sample = SampleWeb(scale="small", day=1, slow_seconds=9, hang_seconds=12)
    sample.start(0)
    yield sample
    sample.stop()


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MEDIAMON_")}


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), "--config", str(config), *args],
        capture_output=True, text=True, env=_env(), timeout=300,
    )  # fmt: skip


def _wait_for(check: Callable[[], bool], what: str, proc: subprocess.Popen[str]) -> None:
    """Poll a condition the daemon makes true (bounded, so a hang fails the test)."""
    done = threading.Event()
    for _ in range(1200):
        if check():
            return
        if proc.poll() is not None:
            pytest.fail(f"the daemon exited ({proc.returncode}) before {what}")
        done.wait(0.1)
    pytest.fail(f"timed out waiting for {what}")


def _probe(db_url: str, org: str, n: int) -> str:
    """Store one more matching find; the daemon alerting it proves a later sender pass ran
    (after every find stored before it was sent), so a duplicate would have had its chance."""
    engine = make_engine(db_url)
    url = f"https://probe.example/{n}"
    doc = Document(canonical_url=url, url=url, title=f"probe {n}", site="probe.example")
    mention = Mention(
        org=org, document=doc, kind=MentionKind.PRESS, found_via=FoundVia.FEED, queries=("org",)
    )
    with session_scope(engine) as s:
        record_mentions(s, [mention], datetime.now(UTC))
    engine.dispose()
    return url


def _daemon_round(config: Path, db_url: str, sink: Sink, org: str, expected: list[str]) -> str:
    """Start the daemon, wait for the sink to hold every expected find, then for a probe
    stored after that; SIGTERM it. Returns the probe's URL."""
    proc = subprocess.Popen(
        [str(EXE), "--config", str(config), "run"],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: len(sink.received) >= len(expected), f"{len(expected)} alerts", proc)
        probe = _probe(db_url, org, len(expected))
        _wait_for(lambda: probe in _sent(sink), "the probe's alert", proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    return probe


def _sent(sink: Sink) -> list[str]:
    return [str(r.body["message"]).splitlines()[-1] for r in list(sink.received)]


def _matching_urls(db_url: str, org: str) -> list[str]:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        urls = [m.url for m in list_mentions(s, org) if "org" in m.queries]
    engine.dispose()
    return urls


def test_each_new_find_alerted_once_across_polls_and_daemon_restarts(
    day_web: SampleWeb, sink: Sink, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "mediamon.toml", day_web, world_sources(day_web))
    org = day_web.world.org.name
    db_url = f"sqlite:///{tmp_path / 'mediamon.db'}"
    with config.open("a", encoding="utf-8") as f:
        f.write(
            f"""
[[queries]]
name = "org"
query = {toml_string('"' + org + '"')}

[[alerts]]
name = "newsroom"
urls = [{toml_string(sink.url)}]
queries = ["org"]

[alerting]
backfill_hours = 1000000
rate_limit_per_hour = 100000
send_every_seconds = 0.5

[scheduler]
poll_every_seconds = 86400
crawl_every_seconds = 86400
harvest_every_seconds = 86400
verify_every_seconds = 86400
recheck_every_seconds = 86400
digest_every_seconds = 86400
cleanup_every_seconds = 86400

[database]
url = {toml_string(db_url)}
"""
        )
    assert _cli(config, "db", "upgrade").returncode == 0
    first = _cli(config, "poll", "--all")
    assert first.returncode == 0, first.stderr[-2000:]
    day_one = _matching_urls(db_url, org)
    assert day_one, "the sample web's day 1 has finds naming the organisation"
    probes = [_daemon_round(config, db_url, sink, org, day_one)]

    day_web.set_day(2)
    second = _cli(config, "poll", "--all")
    assert second.returncode == 0, second.stderr[-2000:]
    both_days = _matching_urls(db_url, org)
    assert len(both_days) > len(day_one) + 1, "day 2 brings new finds"
    probes.append(_daemon_round(config, db_url, sink, org, both_days))

    assert sorted(_sent(sink)) == sorted({*both_days, *probes})
    assert len(set(sink.idempotency_keys())) == len(sink.received)
