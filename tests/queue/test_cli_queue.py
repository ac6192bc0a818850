"""Queue mode from the command line and across workers (#19): ``--no-wait`` and the
per-group dedupe, ``status`` with the queue, ``run --once`` enqueueing instead of spawning,
and the per-host slot that holds across every worker (the test takes it as another worker
would)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from dramatiq.rate_limits import ConcurrentRateLimiter
from sqlalchemy.engine import Engine

from crawler import clock
from crawler.config import load_config
from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.matching.urls import canonicalize_url
from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import record_mentions
from crawler.storage.migrate import upgrade
from crawler.storage.runs import runs_by_id
from sampleweb.pages.trouble import ENDPOINTS, HOST
from sampleweb.server.router import SampleWeb
from scheduler.cli import cli
from scheduler.queue.broker import build_broker, limiter_backend, redis_client
from scheduler.queue.enqueue import enqueue_groups, wait_for_runs
from scheduler.queue.fleet import fleet_status
from scheduler.queue.groups import feed_groups, receipt_groups
from tests.feeds.conftest import toml_string
from tests.queue.conftest import registered, start_worker, stop_worker, wait_until, web_config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def qengine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _invoke(path: Path, db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(path), "--db", db_url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_no_wait_prints_run_ids_and_a_queued_group_is_never_queued_twice(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    code, out, _ = _invoke(path, sqlite_url, "linkbacks", "--verify", "--no-wait")
    assert code == 0
    run_id, kind, group = out.strip().split("\t")
    assert (kind, group) == ("receipts", "all-receipts")
    code, out, err = _invoke(path, sqlite_url, "linkbacks", "--verify", "--no-wait")
    assert code == 0
    assert out.strip() == ""
    assert "receipts all-receipts: already queued or running; not queued again" in err

    code, out, _ = _invoke(path, sqlite_url, "status", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["queue"]["mode"] == "queue"
    receipts = {f["flow"]: f for f in data["queue"]["flows"]}["receipts"]
    assert receipts["waiting"] == 1
    assert receipts["oldest_age_seconds"] is not None
    assert data["queue"]["workers"] == []
    code, out, _ = _invoke(path, sqlite_url, "status")
    assert code == 0
    assert f"Queue mode: Redis 127.0.0.1:6379/0, namespace {queue_prefix}" in out

    worker = start_worker(path, sqlite_url, "--threads", "1", "--flows", "receipts")
    try:
        assert wait_for_runs(qengine, [int(run_id)], timeout=180), worker.log()
        wait_until(
            lambda: '"runs_done": 1' in _invoke(path, sqlite_url, "status", "--json")[1],
            "the worker's heartbeat with its run",
        )
    finally:
        assert stop_worker(worker) == 0
    with session_scope(qengine) as session:
        assert runs_by_id(session, [int(run_id)])[int(run_id)].exit_status == 0
    code, out, _ = _invoke(path, sqlite_url, "linkbacks", "--verify", "--no-wait")
    assert out.split("\t")[0] != run_id  # done, so the group may be queued again


def test_run_once_enqueues_instead_of_spawning(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    code, out, err = _invoke(path, sqlite_url, "run", "--once", "--job", "verify")
    assert code == 0, err
    assert "1 queued" in out
    assert "already queued" not in out
    code, out, _ = _invoke(path, sqlite_url, "run", "--once", "--job", "verify")
    assert "1 already queued" in out


def test_the_per_host_slot_holds_across_workers(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    config = load_config(path)
    broker = build_broker(config.queue)
    client = redis_client(config.queue)
    slot = ConcurrentRateLimiter(
        limiter_backend(config.queue), f"{queue_prefix}:host:all-receipts", limit=1
    )
    worker = start_worker(path, sqlite_url, "--threads", "1", "--flows", "receipts")
    try:
        with slot.acquire():  # another worker's run of this host
            done = enqueue_groups(broker, client, config, qengine, receipt_groups(), clock.now())
            run_id = done[0].run_id
            assert run_id is not None
            wait_until(lambda: worker.said("host all-receipts is busy"), "the busy host")
            with session_scope(qengine) as session:
                assert runs_by_id(session, [run_id])[run_id].finished_at is None
        assert wait_for_runs(qengine, [run_id], timeout=180), worker.log()
    finally:
        assert stop_worker(worker) == 0
    broker.close()
    client.close()
    assert subprocess  # starts processes: an integration test


def test_sigterm_stops_a_running_run_after_the_grace_and_its_message_comes_back(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    hang = web.url(HOST, ENDPOINTS["hang_after_headers"])
    text = path.read_text().replace("timeout = 4.0", "timeout = 100")
    text += f'\n[[sources]]\nname = "Hangs"\nurl = {toml_string(hang)}\nkind = "press"\n'
    path.write_text(text)
    config = load_config(path)
    broker = build_broker(config.queue)
    client = redis_client(config.queue)
    groups = feed_groups(config, qengine, clock.now(), ["Hangs"])
    run_id = enqueue_groups(broker, client, config, qengine, groups, clock.now())[0].run_id
    assert run_id is not None
    worker = start_worker(path, sqlite_url, "--threads", "1", "--flows", "feeds")
    wait_until(
        lambda: sum(f.in_progress for f in fleet_status(client, config.queue, "").flows) == 1,
        "the run in progress",
    )
    assert stop_worker(worker) == 0
    assert worker.said("stopping; running runs get 5 s")
    state = {f.flow: f for f in fleet_status(client, config.queue, "").flows}["feeds"]
    assert (state.waiting + state.delayed, state.in_progress, state.dead) == (1, 0, 0), worker.log()
    with session_scope(qengine) as session:
        assert runs_by_id(session, [run_id])[run_id].finished_at is None
    broker.close()
    client.close()


def test_processes_start_that_many_workers_and_sigterm_stops_them_all(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    supervisor = start_worker(path, sqlite_url, "--processes", "2", "--flows", "receipts")
    wait_until(lambda: registered(queue_prefix) == 2, "two worker processes")
    assert stop_worker(supervisor) == 0
    assert registered(queue_prefix) == 0  # both stopped cleanly and left the registry


def test_unknown_flow_is_one_line_and_exit_2(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    code, _, err = _invoke(path, sqlite_url, "worker", "--flows", "feeds,podcasts")
    assert code == 2
    assert err.strip() == (
        "mediamon: --flows: unknown flow podcasts; "
        "choose from feeds,sites,linkbacks,receipts,recheck"
    )


def test_recheck_is_queued_for_the_workers_and_waited_for(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    """``linkbacks --recheck`` in queue mode: one ``recheck`` run for the workers; the CLI
    waits for it and prints its counts (the source answers 500: kept, retried later)."""
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    config = load_config(path)
    source = ENDPOINTS["error_500"]
    target = canonicalize_url(f"http://{HOST}/2024/03/post/")
    mention = Mention(
        config.organisation.name,
        Document(canonicalize_url(source), source),
        MentionKind.PINGBACK,
        FoundVia.API,
        target=target,
    )
    with session_scope(qengine) as session:  # stored two days ago, never checked: due now
        record_mentions(session, [mention], clock.now() - timedelta(days=2))
    code, out, err = _invoke(path, sqlite_url, "linkbacks", "--recheck", "--no-wait")
    assert code == 0, err
    run_id, kind, group = out.strip().split("\t")
    assert (kind, group) == ("recheck", "all-linkbacks")
    worker = start_worker(path, sqlite_url, "--threads", "1", "--flows", "recheck")
    try:
        assert wait_for_runs(qengine, [int(run_id)], timeout=180), worker.log()
        code, out, err = _invoke(path, sqlite_url, "linkbacks", "--recheck")  # waits
    finally:
        assert stop_worker(worker) == 0
    with session_scope(qengine) as session:
        row = runs_by_id(session, [int(run_id)])[int(run_id)]
        assert row.exit_status == 0, row.error
        assert (row.stats or {}).get("checked") == 1
        assert (row.stats or {}).get("retry") == 1
    assert code == 0, err
    assert "queued 1 run(s); waiting for the workers" in err
    assert "Re-checked linkbacks: nothing was due." in out  # retried in an hour, not now
