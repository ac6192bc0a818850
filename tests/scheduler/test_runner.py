"""Crawls run in child processes with a time limit; a hung child is killed and recorded."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from scheduler.clock import ScaledClock
from scheduler.runner import Children, run_child

MODULE = "tests.scheduler.fake_child"


def test_child_stats_come_back() -> None:
    result = run_child(["ok"], stdin="{}", time_limit=30, module=MODULE)
    assert result.ok
    assert result.stats == {"fetched": 3, "echo": 2}


def test_child_error_is_reported() -> None:
    result = run_child(["fail"], time_limit=30, module=MODULE)
    assert not result.ok
    assert result.error == "the feed was on fire"
    crashed = run_child(["crash"], time_limit=30, module=MODULE)
    assert crashed.exit_status == 3
    assert crashed.error == "child exited with status 3"


def test_hung_child_is_killed_at_its_limit() -> None:
    children = Children()
    result = run_child(["hang"], time_limit=1.5, grace=1.0, module=MODULE, children=children)
    assert not result.ok
    assert result.error == "killed at its time limit of 1.5 s"
    assert children.count() == 0


def test_scaled_clock_runs_faster() -> None:
    clock = ScaledClock.parse("2026-11-02T06:00:00+00:00x3600")
    first = clock.now()
    assert first >= datetime(2026, 11, 2, 6, tzinfo=UTC)
    time.sleep(0.05)
    assert clock.now() - first >= timedelta(seconds=100)
