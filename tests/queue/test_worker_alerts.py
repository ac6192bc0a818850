"""#21 item 2: with queues, ``mediamon worker`` runs the alert sender itself.

Real Redis (the worker starts only when it answers), a real SQLite database built by the
migrations, real ``mediamon worker`` processes and a real local webhook sink. Two workers
sending from the same outbox deliver each find once: after the first find arrived, a probe
stored later must arrive too (so every sender had its pass after the first find) and no key
may come twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import record_mentions
from tests.alerts.sink import Sink, start_sink, stop_sink
from tests.feeds.conftest import toml_string
from tests.queue.conftest import (
    migrate,
    queue_section,
    start_worker,
    stop_worker,
    wait_until,
)

pytestmark = pytest.mark.slow

ORG = "Example Org"


@pytest.fixture
def sink() -> Iterator[Sink]:
    s = start_sink()
    yield s
    stop_sink(s)


def _config(path: Path, prefix: str, sink: Sink, db_url: str) -> Path:
    path.write_text(
        f"""
[organisation]
name = {toml_string(ORG)}
timezone = "UTC"

[[queries]]
name = "org"
query = '"Example Org"'

[[alerts]]
name = "newsroom"
urls = [{toml_string(sink.url)}]

[alerting]
rate_limit_per_hour = 1000
send_every_seconds = 0.3

[database]
url = {toml_string(db_url)}
"""
        + queue_section(prefix),
        encoding="utf-8",
    )
    return path


def _store(db_url: str, n: int) -> str:
    engine = make_engine(db_url)
    url = f"https://news.example/{n}"
    doc = Document(canonical_url=url, url=url, title=f"story {n}", site="news.example")
    mention = Mention(
        org=ORG, document=doc, kind=MentionKind.PRESS, found_via=FoundVia.FEED, queries=("org",)
    )
    with session_scope(engine) as s:
        record_mentions(s, [mention], datetime.now(UTC))
    engine.dispose()
    return url


def _urls(sink: Sink) -> list[str]:
    return [str(r.body["message"]).splitlines()[-1] for r in list(sink.received)]


def test_two_workers_send_each_find_once(queue_prefix: str, sink: Sink, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mediamon.db'}"
    migrate(db_url)
    config = _config(tmp_path / "mediamon.toml", queue_prefix, sink, db_url)
    workers = [start_worker(config, db_url, "--threads", "1", "--flows", "receipts")
               for _ in range(2)]  # fmt: skip
    try:
        wait_until(lambda: all(w.said("alert sender on") for w in workers), "both workers")
        first = _store(db_url, 1)
        wait_until(lambda: first in _urls(sink), "the first find's alert")
        probe = _store(db_url, 2)
        wait_until(lambda: probe in _urls(sink), "the probe's alert")
    finally:
        statuses = [stop_worker(w) for w in workers]
    assert statuses == [0, 0]
    assert sorted(_urls(sink)) == [first, probe]
    assert len(set(sink.idempotency_keys())) == len(sink.received) == 2


def test_a_worker_without_rules_runs_no_sender(queue_prefix: str, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mediamon.db'}"
    migrate(db_url)
    path = tmp_path / "mediamon.toml"
    path.write_text(
        f'[organisation]\nname = "{ORG}"\ntimezone = "UTC"\n'
        f"[database]\nurl = {toml_string(db_url)}\n" + queue_section(queue_prefix),
        encoding="utf-8",
    )
    worker = start_worker(path, db_url, "--threads", "1", "--flows", "receipts")
    try:
        wait_until(lambda: worker.said("thread(s) on"), "the worker to start")
    finally:
        assert stop_worker(worker) == 0
    assert not worker.said("alert sender on")
