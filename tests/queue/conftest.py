"""Real Redis for the queue tests (#19): each test its own namespace, removed afterwards,
and worker processes started as a user starts them (``python -m scheduler.cli worker``).

Everything waits for events (a registry entry, a log line, a finished run row) with a
generous deadline, never for a fixed time: the machine is shared and slow.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from crawler.storage.db import make_engine
from crawler.storage.migrate import upgrade
from sampleweb.server.router import SampleWeb
from tests.feeds.conftest import world_sources, write_config

REDIS_URL = os.environ.get("MEDIAMON_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).parents[2]


@pytest.fixture
def queue_prefix() -> Iterator[str]:
    """A namespace of its own on the local Redis; every key under it goes afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI but unreachable: {exc}")
        pytest.skip(f"local Redis unreachable: {exc}")
    prefix = f"mmtest{uuid.uuid4().hex[:10]}"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def queue_section(prefix: str, *, url: str = REDIS_URL, time_limit: float = 120) -> str:
    """The [queue] and [scheduler] tables of a test config: dead workers noticed at once."""
    return f"""
[queue]
url = "{url}"
prefix = "{prefix}"
heartbeat_timeout_seconds = 3
maintenance_per_million = 1000000

[scheduler]
crawl_time_limit_seconds = {time_limit}
stop_grace_seconds = 5
"""


def wait_until(check: Callable[[], bool], what: str, timeout: float = 180) -> None:
    """Wait for an event (not for a time): fails only when it never comes."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@dataclass
class WorkerProcess:
    """One ``mediamon worker`` process; its stderr is collected line by line."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    def start_reading(self) -> None:
        def read() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                self.lines.append(line.rstrip("\n"))

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()

    def close(self) -> None:
        """After the process ended: the rest of its log, and its pipe closed."""
        if self._reader is not None:
            self._reader.join(30)
        if self.proc.stderr is not None:
            self.proc.stderr.close()

    def said(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def log(self) -> str:
        return "\n".join(self.lines[-60:])


def start_worker(
    config: Path, db_url: str, *args: str, verbose: bool = True, more: tuple[Path, ...] = ()
) -> WorkerProcess:
    """``mediamon worker`` on ``config`` (and the further organisations' configs ``more``)."""
    cmd = [sys.executable, "-m", "scheduler.cli", "--config", str(config), "--db", db_url]
    for path in more:
        cmd += ["--config", str(path)]
    if verbose:
        cmd.append("-v")
    cmd += ["worker", *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    worker = WorkerProcess(proc)
    worker.start_reading()
    return worker


def stop_worker(worker: WorkerProcess, timeout: float = 120) -> int:
    """SIGTERM, as systemd stops it; returns its exit status."""
    if worker.proc.poll() is None:
        worker.proc.send_signal(signal.SIGTERM)
    try:
        return worker.proc.wait(timeout)
    except subprocess.TimeoutExpired:
        worker.proc.kill()
        worker.proc.wait()
        pytest.fail(f"worker did not stop on SIGTERM:\n{worker.log()}")
    finally:
        worker.close()


def migrate(db_url: str, revision: str = "head") -> None:
    engine = make_engine(db_url)
    upgrade(engine, revision)
    engine.dispose()


def registered(prefix: str) -> int:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return int(client.hlen(f"{prefix}:workers"))  # type: ignore[arg-type]
    finally:
        client.close()


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    """The sample web with a small pace on every answer, so requests overlap as on the real
    web and the per-host peak counter means something."""
    sample = SampleWeb(scale="small", day=1, slow_seconds=9, hang_seconds=120, pace_seconds=0.02)
    sample.start(0)
    yield sample
    sample.stop()


def web_config(
    path: Path, web: SampleWeb, prefix: str, *, per_host: int = 2, time_limit: float = 120
) -> Path:
    """A config for the sample web's world with a [queue] on ``prefix``."""
    write_config(path, web, world_sources(web))
    text = path.read_text(encoding="utf-8").replace(
        "concurrent_per_host = 16", f"concurrent_per_host = {per_host}"
    )
    path.write_text(text + queue_section(prefix, time_limit=time_limit), encoding="utf-8")
    return path
