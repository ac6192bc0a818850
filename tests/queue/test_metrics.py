"""Dramatiq's Prometheus metrics from ``mediamon worker`` (#19): ``[queue] metrics = true``
on a worker of two processes; messages handled by either process are summed at the top
process's ``/metrics`` (a real scrape over HTTP), and a port already taken is a one-line
start-up error naming the key."""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from dramatiq import Message

from crawler.config import load_config
from sampleweb.server.router import SampleWeb
from scheduler.cli import cli
from scheduler.queue.broker import build_broker
from tests.queue.conftest import (
    migrate,
    registered,
    start_worker,
    stop_worker,
    wait_until,
    web_config,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def metrics_config(path: Path, web: SampleWeb, prefix: str, port: int) -> Path:
    config = web_config(path, web, prefix)
    text = config.read_text(encoding="utf-8").replace(
        "[queue]\n", f"[queue]\nmetrics = true\nmetrics_port = {port}\n"
    )
    config.write_text(text, encoding="utf-8")
    return config


def scrape(port: int) -> str | None:
    """The metrics page, or None when nothing answers on the port."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            return str(answer.read().decode())
    except (urllib.error.URLError, OSError):
        return None


def counter(text: str | None, name: str, queue: str) -> float:
    """The value of ``name{queue_name=queue,...}`` in a Prometheus text page (0 if absent)."""
    pattern = rf'^{name}\{{[^}}]*queue_name="{queue}"[^}}]*\}} (\S+)$'
    found = re.search(pattern, text or "", re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_two_worker_processes_are_scraped_as_one(
    web: SampleWeb, sqlite_url: str, tmp_path: Path, queue_prefix: str
) -> None:
    port = free_port()
    path = metrics_config(tmp_path / "mediamon.toml", web, queue_prefix, port)
    config = load_config(path)
    migrate(sqlite_url)
    worker = start_worker(path, sqlite_url, "--processes", "2", "--threads", "1")
    broker = build_broker(config.queue)
    try:
        wait_until(lambda: scrape(port) is not None, "the metrics page")
        wait_until(lambda: registered(queue_prefix) == 2, "two worker processes")
        # Messages no worker can run: each is dead-lettered at once, by whichever process
        # took it, and counted there.
        for n in range(4):
            broker.enqueue(
                Message(
                    queue_name="feeds",
                    actor_name="run_feeds",
                    args=({"version": 0, "n": n},),
                    kwargs={},
                    options={},
                )
            )

        def counted() -> bool:
            page = scrape(port)
            return (
                counter(page, "dramatiq_messages_total", "feeds") == 4
                and counter(page, "dramatiq_message_rejects_total", "feeds") == 4
            )

        wait_until(counted, "four messages counted and rejected", timeout=240)
        page = scrape(port)
        assert counter(page, "dramatiq_message_errors_total", "feeds") == 4
        assert "dramatiq_message_duration_milliseconds_bucket" in (page or "")
    finally:
        broker.close()
        assert stop_worker(worker) == 0, worker.log()
    assert scrape(port) is None  # the top process stopped serving when it stopped


def test_a_taken_metrics_port_is_a_startup_error(
    web: SampleWeb,
    sqlite_url: str,
    tmp_path: Path,
    queue_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("dramatiq_prom_db", "dramatiq_prom_host", "dramatiq_prom_port"):
        monkeypatch.setenv(name, "")  # the worker sets them in this process: undone after
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = int(taken.getsockname()[1])
        path = metrics_config(tmp_path / "mediamon.toml", web, queue_prefix, port)
        migrate(sqlite_url)
        result = CliRunner().invoke(
            cli, ["--config", str(path), "--db", sqlite_url, "worker", "--threads", "1"]
        )
    assert result.exit_code == 2, result.output
    assert "queue.metrics_port" in result.output
    assert str(port) in result.output
