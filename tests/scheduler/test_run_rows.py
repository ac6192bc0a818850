"""Each ``crawl_runs`` row is opened once and finished once, by whoever opened it.

A scheduled run (the parent's row, the child's report), a CLI run in process (its own row), a
run killed at its time limit and a child killed with SIGKILL: each leaves exactly one finished
row with the outcome and the reason. ``finish_run`` writes only an unfinished row, so a second
finish would leave the first outcome behind: the parent-only keys (``seconds``, ``pid``) and
exit statuses below prove which side wrote it.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from crawler.config import Config, load_config
from crawler.harvest.run import run_verify
from crawler.storage.db import session_scope
from crawler.storage.models import CrawlRunRow
from crawler.storage.runs import recent_runs
from scheduler.clock import SystemClock
from scheduler.jobs import Runtime, child, record
from scheduler.runner import TIMEOUT_EXIT, run_child, run_in_child
from tests.helpers import MINIMAL_CONFIG, write_config

pytestmark = pytest.mark.slow


def _rows(engine: Engine) -> list[CrawlRunRow]:
    with session_scope(engine) as session:
        rows = list(recent_runs(session, 50))
        session.expunge_all()
    return rows


def _config(tmp_path: Path, feed_url: str = "https://dailyplanet.example/rss") -> Config:
    text = MINIMAL_CONFIG.replace("https://dailyplanet.example/rss", feed_url)
    text += '\n[crawl]\nallow_hosts = ["127.0.0.1"]\ndownload_delay = 0\nobey_robots = false\n'
    return load_config(write_config(tmp_path, text))


def test_a_scheduled_run_is_finished_once_by_the_scheduler(
    tmp_path: Path, sqlite_engine: Engine, sqlite_url: str
) -> None:
    rt = Runtime(_config(tmp_path), sqlite_url, sqlite_engine, SystemClock())
    stats = record(rt, "verify", child("verify"))
    assert stats is not None
    [row] = _rows(sqlite_engine)
    assert row.job == "verify"
    assert row.finished_at is not None
    assert row.exit_status == 0
    # The parent's stats (it adds seconds and pid); the child left the row to it.
    assert "seconds" in row.stats
    assert row.stats["pid"] != os.getpid()
    assert "report" not in row.stats


def test_a_cli_run_opens_and_finishes_its_own_row(
    tmp_path: Path, sqlite_engine: Engine, sqlite_url: str
) -> None:
    report = run_verify(_config(tmp_path), sqlite_url)
    [row] = _rows(sqlite_engine)
    assert row.id == report.run_id
    assert row.finished_at is not None
    assert (row.exit_status, row.error) == (0, "")
    assert "seconds" not in row.stats


def test_a_run_killed_at_its_time_limit_is_finished_once_with_the_reason(
    tmp_path: Path, sqlite_engine: Engine, sqlite_url: str
) -> None:
    report = run_in_child("verify", _config(tmp_path), sqlite_url, time_limit=0.01, grace=5)
    assert report.exit_status == TIMEOUT_EXIT
    assert report.error == "killed at its time limit of 0.01 s"
    [row] = _rows(sqlite_engine)
    assert row.id == report.run_id
    assert (row.exit_status, row.error) == (TIMEOUT_EXIT, "killed at its time limit of 0.01 s")


@pytest.fixture
def silent_server() -> Iterator[tuple[str, threading.Event]]:
    """A feed host that accepts a request and never answers; the event says one arrived."""
    listener = socket.create_server(("127.0.0.1", 0))
    asked = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)
            conn.recv(4096)
            asked.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed", asked
    listener.close()
    for conn in held:
        conn.close()


def test_a_sigkilled_child_leaves_one_finished_row_with_the_reason(
    tmp_path: Path,
    sqlite_engine: Engine,
    sqlite_url: str,
    silent_server: tuple[str, threading.Event],
) -> None:
    url, asked = silent_server
    config = _config(tmp_path, url)
    result: dict[str, Any] = {}

    def poll() -> None:
        result["report"] = run_in_child(
            "poll", config, sqlite_url, time_limit=600, grace=5, all_sources=True
        )

    runner = threading.Thread(target=poll)
    runner.start()
    assert asked.wait(120), "the child never fetched the feed"
    [running] = _rows(sqlite_engine)
    assert running.finished_at is None
    pids = [p for p in _children_of(os.getpid()) if p]
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    runner.join(120)
    report = result["report"]
    assert report.exit_status == 128 + signal.SIGKILL
    assert report.error == "child killed by SIGKILL"
    [row] = _rows(sqlite_engine)
    assert row.id == running.id
    assert (row.exit_status, row.error) == (137, "child killed by SIGKILL")


def test_a_child_with_a_bad_config_says_so_and_exits_2() -> None:
    result = run_child(["poll", "--db", "sqlite://"], stdin='{"organisation": 3}', time_limit=120)
    assert result.exit_status == 2
    assert result.error.startswith("bad config from parent:")


def _children_of(parent: int) -> list[int]:
    import psutil

    return [p.pid for p in psutil.Process(parent).children() if "scheduler.child" in p.cmdline()]
