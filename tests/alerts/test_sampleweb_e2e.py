"""Done-when of #21: on the sample web, a rule with a ``json://`` channel pointed at a local
HTTP sink receives each new matching find exactly once across two ``mediamon poll`` runs and
a restarted daemon (``mediamon run``, stopped with SIGTERM and started again).

Waits are for events (the sink's count, the daemon's recorded alert runs), never for time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import list_mentions
from crawler.storage.models import CrawlRunRow
from sampleweb.server.router import SampleWeb
from tests.alerts.sink import Sink
from tests.feeds.conftest import toml_string, world_sources, write_config

pytestmark = pytest.mark.slow

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


def _daemon_round(config: Path, db_url: str, sink: Sink, expected: int) -> None:
    """Start the daemon, wait for the sink to hold ``expected`` finds and for two more
    alert runs after that (so a duplicate would have had its chance), then SIGTERM it."""
    engine = make_engine(db_url)

    def alert_runs() -> int:
        with session_scope(engine) as s:
            stmt = select(func.count()).select_from(CrawlRunRow).where(CrawlRunRow.job == "alerts")
            return int(s.scalar(stmt) or 0)

    proc = subprocess.Popen(
        [str(EXE), "--config", str(config), "run"],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: len(sink.received) >= expected, f"{expected} alerts", proc)
        after = alert_runs()
        _wait_for(lambda: alert_runs() >= after + 2, "two more sender runs", proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        engine.dispose()
    assert proc.returncode == 0, err[-2000:]


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
    _daemon_round(config, db_url, sink, len(day_one))

    day_web.set_day(2)
    second = _cli(config, "poll", "--all")
    assert second.returncode == 0, second.stderr[-2000:]
    both_days = _matching_urls(db_url, org)
    assert len(both_days) > len(day_one), "day 2 brings new finds"
    _daemon_round(config, db_url, sink, len(both_days))

    sent = [str(r.body["message"]).splitlines()[-1] for r in sink.received]
    assert sorted(sent) == sorted(both_days)
    assert len(set(sink.idempotency_keys())) == len(sink.received)
