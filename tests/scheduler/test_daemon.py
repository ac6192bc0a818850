"""`mediamon run` as real processes: one leads, a second stands by and takes over when the
first stops; SIGTERM stops taking jobs and exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.runs import last_run_per_job, scheduled_next_runs

DAEMON_CONFIG = """
[organisation]
name = "Orbis Union"
timezone = "Europe/Zurich"

[scheduler]
poll_every_seconds = 1
digest_every_seconds = 1
cleanup_every_seconds = 1
lease_seconds = 2
stop_grace_seconds = 5
"""


def _start(config: Path, db_url: str, log: Path) -> subprocess.Popen[bytes]:
    """A scheduler process logging to a file (read while it runs, never a full pipe)."""
    exe = Path(sys.executable).with_name("mediamon")
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(exe), "--config", str(config), "--db", db_url, "-v", "run"],
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


def _wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_standby_takes_over_and_sigterm_exits_zero(tmp_path: Path, db_url: str) -> None:
    config = tmp_path / "mediamon.toml"
    config.write_text(DAEMON_CONFIG)
    engine = make_engine(db_url)
    upgrade(engine)

    def ran(job: str) -> bool:
        with session_scope(engine) as session:
            return job in last_run_per_job(session)

    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start(config, db_url, first_log)
    try:
        assert _wait_for(lambda: ran("cleanup"), 30), "the first scheduler ran no job"
        assert set(scheduled_next_runs(engine)) >= {"poll", "digest", "cleanup"}
        second = _start(config, db_url, second_log)
        try:
            # Start-up takes a while on a loaded machine: wait until it says it stands by.
            assert _wait_for(lambda: "standing by" in second_log.read_text(), 60)
            assert second.poll() is None  # still waiting, not crashed
            first.send_signal(signal.SIGTERM)
            assert first.wait(timeout=30) == 0
            assert "stopped" in first_log.read_text()
            with session_scope(engine) as session:
                before = last_run_per_job(session)["cleanup"].id
            assert _wait_for(lambda: last_run_per_job_id(engine, "cleanup") != before, 30), (
                "the standby never took over"
            )
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0
        second_err = second_log.read_text()
        assert second_err.index("standing by") < second_err.index("active scheduler")
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGKILL)
        engine.dispose()


def last_run_per_job_id(engine: object, job: str) -> int | None:
    with session_scope(engine) as session:  # type: ignore[arg-type]
        row = last_run_per_job(session).get(job)
        return row.id if row else None
