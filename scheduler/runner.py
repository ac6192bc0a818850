"""Run one crawl in a child process with a time limit, the way scrapyd does.

A crash, a leak or a hung socket in one crawl can then never take the scheduler down, and the
Twisted reactor is never restarted in one process. The child prints one JSON line with its
stats on stdout; its logs go to stderr (inherited, so they reach the daemon's log).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

_active: set[subprocess.Popen[str]] = set()
_active_lock = threading.Lock()


@dataclass(frozen=True)
class ChildResult:
    exit_status: int
    stats: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    pid: int | None = None

    @property
    def ok(self) -> bool:
        return self.exit_status == 0 and not self.error


def run_child(
    args: Sequence[str],
    *,
    stdin: str = "",
    time_limit: float,
    grace: float = 10.0,
    env: Mapping[str, str] | None = None,
    module: str = "scheduler.child",
) -> ChildResult:
    """Run ``python -m scheduler.child ARGS`` and wait at most ``time_limit`` seconds.

    On timeout the child gets SIGTERM (Scrapy then closes the spider cleanly), and SIGKILL
    after ``grace`` more seconds; the result says it was killed at its limit.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    with _active_lock:
        _active.add(proc)
    timed_out = False
    try:
        try:
            out, _ = proc.communicate(stdin, timeout=time_limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.warning("crawl child %s hit its %.0f s limit; stopping it", proc.pid, time_limit)
            _stop(proc, grace)
            out, _ = proc.communicate()
    finally:
        with _active_lock:
            _active.discard(proc)
    seconds = time.monotonic() - started
    stats = _last_json(out)
    error = str(stats.pop("error", "")) if isinstance(stats.get("error"), str) else ""
    if timed_out:
        error = f"killed at its time limit of {time_limit:g} s"
    elif proc.returncode != 0 and not error:
        error = f"child exited with status {proc.returncode}"
    return ChildResult(proc.returncode, stats, error, seconds, proc.pid)


def _stop(proc: subprocess.Popen[str], grace: float) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _last_json(out: str | None) -> dict[str, Any]:
    for line in reversed((out or "").strip().splitlines()):
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def stop_all_children(grace: float, *, kill_after: float = 5.0) -> None:
    """Let running crawls finish for up to ``grace`` seconds, then ask the rest to stop
    (SIGTERM: Scrapy closes the spider cleanly) and kill what is left ``kill_after`` later."""
    deadline = time.monotonic() + grace
    while active_children() and time.monotonic() < deadline:
        time.sleep(0.2)
    with _active_lock:
        procs = list(_active)
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + kill_after
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def active_children() -> int:
    with _active_lock:
        return len(_active)
