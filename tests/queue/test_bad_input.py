"""Queue mode's bad inputs, each against the real Redis and a real database (#19).

Redis refusing connections (the CLI: one line, exit 2; a worker: waits with backoff), a
message of an unknown kind or an older format (dead-lettered with the reason, the worker goes
on), a message from another schema version (refused, not acknowledged), a worker on an
outdated database (refuses to start), a database the worker cannot reach (messages go back
with backoff, none acknowledged) and a run that hangs (time limit, once more, dead letter).
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from dramatiq import Message
from sqlalchemy.engine import Engine

from crawler import clock
from crawler.config import load_config
from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import head_revision, upgrade
from crawler.storage.runs import recent_runs, runs_by_id, start_run
from sampleweb.pages.trouble import ENDPOINTS, HOST
from sampleweb.server.router import SampleWeb
from scheduler.cli import cli
from scheduler.queue.broker import build_broker, redis_client
from scheduler.queue.enqueue import enqueue_groups, send, wait_for_runs
from scheduler.queue.fleet import dead_messages, fleet_status
from scheduler.queue.groups import Group, feed_groups
from scheduler.queue.messages import RunMessage, config_version
from tests.feeds.conftest import toml_string
from tests.queue.conftest import (
    migrate,
    registered,
    start_worker,
    stop_worker,
    wait_until,
    web_config,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def qengine(sqlite_url: str) -> Iterator[Engine]:
    """The test's SQLite database, migrated; disposed afterwards."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def refused_config(path: Path, web: SampleWeb, prefix: str) -> Path:
    config = web_config(path, web, prefix)
    text = config.read_text().replace(
        "redis://127.0.0.1:6379/0", f"redis://127.0.0.1:{closed_port()}/0"
    )
    config.write_text(text)
    return config


def test_cli_with_redis_refusing_says_so_in_one_line_and_exits_2(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str
) -> None:
    config = refused_config(tmp_path / "mediamon.toml", web, queue_prefix)
    migrate(sqlite_url)
    for args in (["poll", "--all"], ["status"], ["queue", "dead"], ["linkbacks", "--verify"]):
        result = CliRunner().invoke(cli, ["--config", str(config), "--db", sqlite_url, *args])
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (args, result.stderr)
        assert lines[0].startswith("mediamon: queue.url: Redis at 127.0.0.1:")
        assert "unreachable" in lines[0]


def test_worker_with_redis_refusing_waits_with_backoff_and_stops_on_sigterm(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str
) -> None:
    config = refused_config(tmp_path / "mediamon.toml", web, queue_prefix)
    migrate(sqlite_url)
    worker = start_worker(config, sqlite_url)
    wait_until(lambda: worker.said("retrying in 2 s"), "the worker's second retry")
    assert worker.proc.poll() is None  # no crash loop
    assert stop_worker(worker) == 0


def _raw(broker: object, queue: str, payload: object) -> None:
    broker.enqueue(  # type: ignore[attr-defined]
        Message(queue_name=queue, actor_name=f"run_{queue}", args=(payload,), kwargs={}, options={})
    )


def test_unknown_kind_and_older_format_are_dead_lettered_and_the_worker_goes_on(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    config = load_config(path)
    engine = qengine
    broker = build_broker(config.queue)
    client = redis_client(config.queue)
    with session_scope(engine) as session:
        doomed = start_run(session, "poll", clock.now())
    head = head_revision(engine)
    good = RunMessage("feeds", "x.test", doomed, head, config_version(config)).to_json()
    _raw(broker, "feeds", {**good, "kind": "podcasts"})
    _raw(broker, "feeds", {**good, "version": 0})
    groups = feed_groups(config, engine, clock.now(), all_sources=True)[:1]
    done = enqueue_groups(broker, client, config, engine, groups, clock.now())
    run_ids = [d.run_id for d in done if d.run_id is not None]
    assert len(run_ids) == 1
    worker = start_worker(path, sqlite_url, "--threads", "1", "--flows", "feeds")
    try:
        assert wait_for_runs(engine, run_ids, timeout=180), worker.log()
        wait_until(lambda: len(dead_messages(client, config.queue)) == 2, "two dead letters")
    finally:
        assert stop_worker(worker) == 0
    reasons = sorted(d.reason for d in dead_messages(client, config.queue))
    assert "unknown kind 'podcasts'" in reasons[1]
    assert "message format 0" in reasons[0]
    with session_scope(engine) as session:
        rows = runs_by_id(session, [*run_ids, doomed])
    assert rows[run_ids[0]].exit_status == 0
    assert rows[doomed].exit_status == 2  # closed with the reason: nobody waits for it
    assert "bad message" in rows[doomed].error

    listed = CliRunner().invoke(cli, ["--config", str(path), "--db", sqlite_url, "queue", "dead"])
    assert listed.exit_code == 0, listed.output
    assert "podcasts" in listed.output
    retried = CliRunner().invoke(
        cli, ["--config", str(path), "--db", sqlite_url, "queue", "dead", "--retry"]
    )
    assert "requeued 2 dead-lettered message(s)" in retried.output
    assert dead_messages(client, config.queue) == []
    assert fleet_status(client, config.queue, "").flows[0].waiting == 2
    broker.close()


def test_a_message_of_another_schema_is_refused_and_not_acknowledged(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    config = load_config(path)
    engine = qengine
    broker = build_broker(config.queue)
    with session_scope(engine) as session:
        run_id = start_run(session, "poll", clock.now())
    old = RunMessage("feeds", "x.test", run_id, "0001", config_version(config))
    send(broker, old)
    head = head_revision(engine)
    other = RunMessage("feeds", "y.test", run_id, head, "another-config")
    send(broker, other)
    worker = start_worker(path, sqlite_url, "--threads", "1", "--flows", "feeds")
    try:
        refusal = f"schema: message 0001, database {head}"
        wait_until(lambda: worker.said(refusal), "the refusal")
        wait_until(lambda: worker.said("config version: message another-config"), "refusal 2")
    finally:
        assert stop_worker(worker) == 0
    client = redis_client(config.queue)
    state = fleet_status(client, config.queue, "").flows[0]
    assert state.waiting + state.delayed == 2  # both still queued, for a worker that fits
    assert dead_messages(client, config.queue) == []
    with session_scope(engine) as session:
        assert runs_by_id(session, [run_id])[run_id].finished_at is None
    broker.close()


def test_a_worker_on_an_outdated_database_refuses_to_start(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    migrate(sqlite_url, "0004")
    worker = start_worker(path, sqlite_url)
    assert worker.proc.wait(120) == 2
    worker.close()
    wait_until(lambda: worker.said("worker refuses work:"), "the reason")
    assert worker.said("schema is not up to date")
    assert registered(queue_prefix) == 0


def test_a_worker_whose_database_is_unreachable_sends_messages_back(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix)
    config = load_config(path)
    engine = qengine
    broker = build_broker(config.queue)
    client = redis_client(config.queue)
    group = Group("receipts", "all-receipts")
    done = enqueue_groups(broker, client, config, engine, [group], clock.now())
    run_id = done[0].run_id
    assert run_id is not None
    unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test"
    worker = start_worker(path, unreachable, "--threads", "1", "--flows", "receipts")
    try:
        wait_until(lambda: worker.said("messages will wait for it"), "the start warning")
        wait_until(lambda: worker.said(f"run {run_id} (receipts all-receipts) goes back"), "1")
        wait_until(lambda: sum("goes back" in line for line in worker.lines) >= 2, "a retry")
    finally:
        assert stop_worker(worker) == 0
    state = {f.flow: f for f in fleet_status(client, config.queue, "").flows}["receipts"]
    assert state.waiting + state.delayed == 1  # not acknowledged, not dead
    with session_scope(engine) as session:
        assert runs_by_id(session, [run_id])[run_id].finished_at is None
    broker.close()


def test_a_run_that_hangs_is_stopped_tried_once_more_then_dead_lettered(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str, qengine: Engine
) -> None:
    path = web_config(tmp_path / "mediamon.toml", web, queue_prefix, time_limit=4)
    hang = web.url(HOST, ENDPOINTS["hang_after_headers"])
    text = path.read_text().replace("timeout = 4.0", "timeout = 100")
    text += f'\n[[sources]]\nname = "Hangs"\nurl = {toml_string(hang)}\nkind = "press"\n'
    path.write_text(text)
    config = load_config(path)
    engine = qengine
    broker = build_broker(config.queue)
    client = redis_client(config.queue)
    groups = feed_groups(config, engine, clock.now(), ["Hangs"])
    done = enqueue_groups(broker, client, config, engine, groups, clock.now())
    run_id = done[0].run_id
    assert run_id is not None
    worker = start_worker(path, sqlite_url, "--threads", "1", "--flows", "feeds")
    try:
        wait_until(lambda: len(dead_messages(client, config.queue)) == 1, "the dead letter")
    finally:
        assert stop_worker(worker) == 0
    assert worker.said("trying once more")
    (dead,) = dead_messages(client, config.queue)
    assert "killed at its time limit of 4 s twice" in dead.reason
    with session_scope(engine) as session:
        row = runs_by_id(session, [run_id])[run_id]
    assert row.exit_status == 124
    assert "time limit" in row.error
    broker.close()
    assert subprocess  # the module starts processes: an integration test


def test_the_scheduler_with_redis_refusing_waits_then_records_the_job_failed_and_goes_on(
    web: SampleWeb,
    sqlite_url: str,
    tmp_path: Path,
    queue_prefix: str,
    qengine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = refused_config(tmp_path / "mediamon.toml", web, queue_prefix)
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--db", sqlite_url, "-v", "run", "--once", "--job",
              "verify", "--job", "cleanup"]
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "1 job(s) failed: verify" in result.stderr
    logged = [r.getMessage() for r in caplog.records]
    assert any("retrying in 8 s" in m for m in logged)  # it waited, backing off, first
    assert any(m.startswith("job verify failed: queue.url: Redis") for m in logged)
    with session_scope(qengine) as session:
        rows = {r.job: r for r in recent_runs(session)}
    assert "queue.url: Redis unreachable; receipts not queued this time" in rows["verify"].error
    assert rows["cleanup"].exit_status == 0  # the other jobs go on
