"""Crawls run in child processes with a time limit; a hung child is killed and recorded."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from scheduler.clock import ScaledClock
from scheduler.runner import STOPPED_EXIT, Children, run_child

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


def test_no_child_starts_once_its_owner_stops() -> None:
    """A worker thread that took a message just before SIGTERM must not start a crawl the
    owner no longer watches (it would run to its own end while the owner waits for it)."""
    children = Children()
    children.stop_all(0)
    result = run_child(["ok"], stdin="{}", time_limit=30, module=MODULE, children=children)
    assert not result.ok
    assert result.exit_status == STOPPED_EXIT
    assert result.error == "not started: its owner is stopping"
    assert children.count() == 0


def test_a_child_that_started_as_its_owner_stopped_is_stopped_at_once() -> None:
    """The other side of the race: the owner closed between the check and the start."""

    class ClosingAfterCheck(Children):
        @property
        def closed(self) -> bool:
            return False  # the check saw it open ...

    children = ClosingAfterCheck()
    children.stop_all(0)  # ... and it closed before the child was added
    result = run_child(["hang"], time_limit=60, grace=5.0, module=MODULE, children=children)
    assert not result.ok
    assert result.error == "child killed by SIGTERM"
    assert result.exit_status == STOPPED_EXIT
    assert children.count() == 0
