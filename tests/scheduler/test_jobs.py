"""Jobs are recorded in crawl_runs; a job that raises is logged and the others go on; an
invalid config edit keeps the last good config."""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from crawler.config import load_config
from crawler.storage.db import session_scope
from crawler.storage.runs import last_run_per_job
from scheduler.clock import ScaledClock
from scheduler.daemon import ConfigWatcher, run_once
from scheduler.job_functions import covered_day_due
from scheduler.jobs import JobSpec, Runtime
from tests.helpers import MINIMAL_CONFIG, write_config


def _runtime(tmp_path: Path, engine: Engine) -> Runtime:
    config = load_config(write_config(tmp_path), env={})
    clock = ScaledClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    return Runtime(config, "unused://", engine, clock)


def _boom(rt: Runtime, run_id: int) -> dict[str, Any]:
    raise RuntimeError("database on holiday")


def _fine(rt: Runtime, run_id: int) -> dict[str, Any]:
    return {"did": "things"}


def test_a_job_that_raises_is_recorded_and_the_others_run(
    tmp_path: Path, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    rt = _runtime(tmp_path, engine)
    jobs = [
        JobSpec("first", "raises", lambda c: 60, _boom),
        JobSpec("second", "works", lambda c: 60, _fine),
    ]
    results = run_once(rt, jobs)
    assert results == {"first": None, "second": {"did": "things"}}
    with session_scope(engine) as session:
        last = last_run_per_job(session)
    assert last["first"].exit_status == 1
    assert last["first"].error == "RuntimeError: database on holiday"
    assert last["second"].exit_status == 0
    assert last["second"].stats == {"did": "things"}
    assert "job first raised" in caplog.text


def test_invalid_config_edit_keeps_the_last_good_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path)
    good = load_config(path, env={})
    watcher = ConfigWatcher(path, good)
    assert watcher.poll() is good
    path.write_text(MINIMAL_CONFIG.replace("Europe/Zurich", "Nowhere/Never"))
    os.utime(path, (time.time() + 5, time.time() + 5))
    with caplog.at_level(logging.ERROR):
        assert watcher.poll() is good
    assert "keeping the last good config" in caplog.text
    assert "unknown timezone" in watcher.error
    path.write_text(MINIMAL_CONFIG.replace("Daily Planet", "Evening Star"))
    os.utime(path, (time.time() + 10, time.time() + 10))
    assert watcher.poll().sources[0].name == "Evening Star"
    assert watcher.error == ""


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 3, 6, 59, tzinfo=UTC), None),  # 07:59 in Zurich
        (datetime(2026, 11, 3, 7, 0, tzinfo=UTC), "2026-11-02"),  # 08:00 in Zurich
        (datetime(2026, 11, 3, 22, 0, tzinfo=UTC), "2026-11-02"),
    ],
)
def test_morning_digest_covers_yesterday(
    tmp_path: Path, now: datetime, expected: str | None
) -> None:
    config = load_config(write_config(tmp_path), env={})
    day = covered_day_due(config, now)
    assert (day.date().isoformat() if day else None) == expected
