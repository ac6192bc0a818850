"""Three workers on one Redis and one PostgreSQL database find exactly what the embedded
run finds, politely, and a worker SIGKILLed mid-run loses nothing (#19).

The reference is the embedded mode on SQLite (each run in a child, as the scheduler runs
it); the fleet works on a fresh PostgreSQL schema. What is compared is what a user sees:
the stored documents, feed entries, posts and mentions (by URL and kind).
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crawler import clock
from crawler.config import load_config
from crawler.storage.db import make_engine, session_scope
from crawler.storage.models import DocumentRow, FeedEntryRow, MentionRow, PostRow, SourceRow
from crawler.storage.runs import runs_by_id
from sampleweb.server.router import SampleWeb
from scheduler.cli import cli
from scheduler.queue.broker import build_broker, redis_client
from scheduler.queue.enqueue import enqueue_groups, wait_for_runs
from scheduler.queue.fleet import fleet_status
from scheduler.queue.groups import feed_groups, linkback_groups
from tests.feeds.conftest import world_sources, write_config
from tests.helpers import in_child
from tests.queue.conftest import (
    WorkerProcess,
    migrate,
    registered,
    start_worker,
    stop_worker,
    wait_until,
    web_config,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]

PER_HOST = 1


def found(db_url: str) -> dict[str, set[Any]]:
    """What a user sees of a run: documents, feed entries, posts and mentions."""
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        names = dict(session.execute(select(SourceRow.id, SourceRow.name)).all())
        out: dict[str, set[Any]] = {
            "documents": set(session.scalars(select(DocumentRow.canonical_url))),
            "entries": {
                (names[source], key)
                for source, key in session.execute(
                    select(FeedEntryRow.source_id, FeedEntryRow.entry_key)
                )
            },
            "posts": set(session.scalars(select(PostRow.canonical_url))),
            "mentions": set(
                session.execute(
                    select(DocumentRow.canonical_url, MentionRow.kind).join(
                        DocumentRow, DocumentRow.id == MentionRow.document_id
                    )
                )
            ),
        }
    engine.dispose()
    return out


@pytest.fixture(scope="module")
def reference(web: SampleWeb, tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[Any]]:
    """The embedded mode's result: a poll of every source, then a harvest of every post,
    each keeping to ``concurrent_per_host`` on every host (the site permits, even with the
    test config's zero download delay)."""
    directory = tmp_path_factory.mktemp("embedded")
    path = write_config(directory / "mediamon.toml", web, world_sources(web))
    text = path.read_text().replace("concurrent_per_host = 16", f"concurrent_per_host = {PER_HOST}")
    path.write_text(text)
    db_url = f"sqlite:///{directory / 'embedded.db'}"
    migrate(db_url)
    web.reset_peaks()
    poll = in_child("poll", path, db_url, timeout=300, all_sources=True)
    assert poll.exit_status == 0, poll.error
    harvest = in_child("harvest", path, db_url, timeout=300, all_posts=True)
    assert harvest.exit_status == 0, harvest.error
    result = found(db_url)
    peaks = web.peak_concurrency()
    assert len(peaks) > 5
    assert max(peaks.values()) <= PER_HOST, peaks
    assert result["documents"]
    assert result["mentions"]
    assert result["posts"]
    return result


@pytest.fixture
def fleet() -> Iterator[list[WorkerProcess]]:
    """The test's workers; any still running are stopped with SIGTERM afterwards."""
    workers: list[WorkerProcess] = []
    yield workers
    for worker in workers:
        if worker.proc.poll() is None:
            stop_worker(worker)
        else:
            worker.close()


def test_three_workers_find_exactly_the_embedded_truth_politely(
    web: SampleWeb,
    reference: dict[str, set[Any]],
    postgres_url: str,
    tmp_path: Path,
    queue_prefix: str,
    fleet: list[WorkerProcess],
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix, per_host=PER_HOST)
    migrate(postgres_url)
    fleet += [start_worker(path, postgres_url, "--threads", "2") for _ in range(3)]
    wait_until(lambda: registered(queue_prefix) == 3, "three registered workers")
    web.reset_peaks()
    args = ["--config", str(path), "--db", postgres_url]
    polled = CliRunner().invoke(cli, [*args, "poll", "--all"])
    assert polled.exit_code == 0, polled.output + polled.stderr
    assert "Poll" in polled.output
    harvested = CliRunner().invoke(cli, [*args, "linkbacks", "--all"])
    assert harvested.exit_code == 0, harvested.output + harvested.stderr
    got = found(postgres_url)
    for key in ("documents", "entries", "posts", "mentions"):
        assert got[key] == reference[key], (
            key,
            got[key] - reference[key],
            reference[key] - got[key],
        )
    peaks = web.peak_concurrency()  # every host, across the three workers together
    assert len(peaks) > 5
    assert max(peaks.values()) <= PER_HOST, peaks
    status = CliRunner().invoke(cli, [*args, "status", "--json"])
    assert status.exit_code == 0, status.output
    assert '"mode": "queue"' in status.output
    assert [stop_worker(w) for w in fleet] == [0, 0, 0]
    assert registered(queue_prefix) == 0  # a clean stop leaves the registry


def _kill_machine(worker: WorkerProcess) -> None:
    """SIGKILL the worker and the run it is doing, as when its machine dies."""
    process = psutil.Process(worker.proc.pid)
    children = process.children(recursive=True)
    process.send_signal(signal.SIGKILL)
    for child in children:
        child.send_signal(signal.SIGKILL)
    worker.proc.wait(30)
    worker.close()


@pytest.mark.long
def test_a_worker_killed_mid_run_loses_nothing_and_stores_nothing_twice(
    web: SampleWeb,
    reference: dict[str, set[Any]],
    postgres_url: str,
    tmp_path: Path,
    queue_prefix: str,
    fleet: list[WorkerProcess],
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix, time_limit=20)
    config = load_config(path)
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    broker = build_broker(config.queue)
    client = redis_client(config.queue)
    doomed = start_worker(path, postgres_url, "--threads", "1")
    fleet.append(doomed)
    groups = feed_groups(config, engine, clock.now(), all_sources=True)
    done = enqueue_groups(broker, client, config, engine, groups, clock.now())
    run_ids = [d.run_id for d in done if d.run_id is not None]
    assert len(run_ids) == len(groups) > 3

    def busy() -> bool:
        taken = sum(f.in_progress for f in fleet_status(client, config.queue, "").flows)
        return taken > 0 and bool(psutil.Process(doomed.proc.pid).children())

    wait_until(busy, "the first worker's run in progress")
    _kill_machine(doomed)
    with session_scope(engine) as session:
        unfinished = [r for r in runs_by_id(session, run_ids).values() if r.finished_at is None]
    assert unfinished  # at least the run that was cut short
    fleet += [start_worker(path, postgres_url, "--threads", "2") for _ in range(2)]
    assert wait_for_runs(engine, run_ids, timeout=600), "\n".join(w.log() for w in fleet)
    with session_scope(engine) as session:
        rows = runs_by_id(session, run_ids)
    assert {r.exit_status for r in rows.values()} == {0}, [r.error for r in rows.values()]
    posts = linkback_groups(config, engine, clock.now(), all_posts=True)
    done = enqueue_groups(broker, client, config, engine, posts, clock.now())
    assert wait_for_runs(engine, [d.run_id for d in done if d.run_id], timeout=600)
    got = found(postgres_url)
    for key in ("documents", "entries", "posts", "mentions"):
        assert got[key] == reference[key], (
            key,
            got[key] - reference[key],
            reference[key] - got[key],
        )
    broker.close()
    client.close()
    engine.dispose()
    assert subprocess  # starts processes: an integration test
