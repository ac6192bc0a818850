"""Run one crawl in a child process with a time limit, the way scrapyd does.

A crash, a leak or a hung socket in one crawl can then never take the scheduler down, and the
Twisted reactor is never restarted in one process. The child (``scheduler.child``) prints one
JSON line with its stats on stdout; its logs go to stderr (inherited, so they reach the
daemon's log). This is the only child mechanism: the scheduler's jobs use ``run_child``;
``mediamon linkbacks``, the tests and the benchmarks use ``run_in_child``, which records the
run the same way the scheduler does and returns the run's typed report. The contract is in
``docs/runner.md``.
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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from crawler import clock
from crawler.config import Config
from crawler.harvest.report import HarvestReport, RecheckReport, VerifyReport
from crawler.posts.report import SyncReport
from crawler.press.report import CrawlReport, PollMatchReport
from crawler.runs.record import finish_report
from crawler.storage.db import make_engine, session_scope
from crawler.storage.runs import start_run

log = logging.getLogger(__name__)

#: Exit status recorded for a child stopped at its time limit (as timeout(1) uses).
TIMEOUT_EXIT = 124
#: Exit status recorded for a run whose child was not started, or was stopped as it started,
#: because its owner (daemon, queue worker) is stopping: as a shell reports a SIGTERM death.
STOPPED_EXIT = 128 + signal.SIGTERM


class Children:
    """The crawl children one owner has running (a daemon, a queue worker), so it can stop
    them all when it stops. Each owner keeps its own set: nothing is shared through module
    state, and two owners in one process (tests) never stop each other's children."""

    def __init__(self) -> None:
        self._procs: set[subprocess.Popen[str]] = set()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        """The owner is stopping: no child may start any more."""
        with self._lock:
            return self._closed

    def add(self, proc: subprocess.Popen[str]) -> bool:
        """Keep ``proc``; False when the owner has begun to stop (the caller stops ``proc``):
        a child that started just after ``stop_all`` looked would otherwise run unseen to its
        own end while the owner waits for it."""
        with self._lock:
            if self._closed:
                return False
            self._procs.add(proc)
            return True

    def discard(self, proc: subprocess.Popen[str]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def count(self) -> int:
        with self._lock:
            return len(self._procs)

    def stop_all(self, grace: float, *, kill_after: float = 5.0) -> None:
        """Let running crawls finish for up to ``grace`` seconds, then ask the rest to stop
        (SIGTERM: Scrapy closes the spider cleanly) and kill what is left ``kill_after`` later.
        From now on no child starts (``add``)."""
        with self._lock:
            self._closed = True
        deadline = time.monotonic() + grace
        while self.count() and time.monotonic() < deadline:
            time.sleep(0.2)
        with self._lock:
            procs = list(self._procs)
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
    forward_signals: bool = False,
    children: Children | None = None,
) -> ChildResult:
    """Run ``python -m scheduler.child ARGS`` and wait at most ``time_limit`` seconds.

    On timeout the child gets SIGTERM (Scrapy then closes the spider cleanly), and SIGKILL
    after ``grace`` more seconds; the result says it was killed at its limit.

    The child runs in a session of its own, so a Ctrl-C on the terminal does not reach it.
    With ``forward_signals`` (a CLI command running its jobs in children), SIGINT and SIGTERM
    sent to this process while the child runs are passed on to the child, which stops its
    crawl cleanly and reports its run as interrupted (exit status 130); that report is
    returned as usual. The scheduler leaves it off: its own handlers stop every child.

    The child is in ``children`` while it runs, so their owner can stop it.
    """
    children = children if children is not None else Children()
    started = time.monotonic()
    if children.closed:  # the owner is stopping: a run not started is not started now
        return ChildResult(STOPPED_EXIT, error="not started: its owner is stopping")
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    if not children.add(proc):  # the owner began to stop while this child started
        log.warning("crawl child %s started as its owner stops; stopping it", proc.pid)
        _stop(proc, grace)
    timed_out = False
    try:
        try:
            with _signals_passed_to(proc, forward_signals):
                out, _ = proc.communicate(stdin, timeout=time_limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.warning("crawl child %s hit its %.0f s limit; stopping it", proc.pid, time_limit)
            _stop(proc, grace)
            out, _ = proc.communicate()
    finally:
        children.discard(proc)
    seconds = time.monotonic() - started
    stats = _last_json(out)
    error = str(stats.pop("error", "")) if isinstance(stats.get("error"), str) else ""
    status = proc.returncode
    if timed_out:
        error = f"killed at its time limit of {time_limit:g} s"
        status = TIMEOUT_EXIT
    elif proc.returncode < 0:
        error = error or f"child killed by {_signal_name(-proc.returncode)}"
        status = 128 - proc.returncode  # as a shell reports a death by signal
    elif proc.returncode != 0 and not error:
        error = f"child exited with status {proc.returncode}"
    return ChildResult(status, stats, error, seconds, proc.pid)


@contextmanager
def _signals_passed_to(proc: subprocess.Popen[str], enabled: bool) -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM go to ``proc``'s process group instead of
    stopping this process (only in the main thread, where handlers can be set)."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def forward(signum: int, _frame: Any) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


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


def config_payload(config: Config, options: Mapping[str, Any] | None = None) -> str:
    """What a child reads on stdin: the config (with its path) and the run's options."""
    data = config.model_dump(mode="json")
    data["path"] = config.path
    if options:
        data["options"] = dict(options)
    return json.dumps(data, default=str)


#: The report type each child job sends back.
REPORTS: dict[str, type[Any]] = {
    "poll": PollMatchReport,
    "crawl": CrawlReport,
    "adhoc": CrawlReport,
    "harvest": HarvestReport,
    "recheck": RecheckReport,
    "verify": VerifyReport,
    "posts": SyncReport,
}


def run_in_child(
    job: str,
    config: Config,
    db_url: str,
    *,
    time_limit: float = 3600,
    grace: float = 10.0,
    forward_signals: bool = False,
    **options: Any,
) -> Any:
    """Run ``job`` in a child through ``run_child``, recording it in ``crawl_runs``.

    The parent opens the run's row and finishes it once: with the child's report, or, when
    the child gave none (killed at its limit, crashed), with the reason. ``options`` are the
    run function's keyword arguments (``now`` decides what is due; timestamps stay real).
    Returns the job's report type (``REPORTS``).
    """
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            run_id = start_run(
                session, job, clock.now(), pid=os.getpid(), org=config.organisation.name
            )
        report, _ = run_opened(
            job,
            config,
            db_url,
            run_id,
            time_limit=time_limit,
            grace=grace,
            forward_signals=forward_signals,
            **options,
        )
        finish_report(engine, run_id, report)
    finally:
        engine.dispose()
    return report


def run_opened(
    job: str,
    config: Config,
    db_url: str,
    run_id: int,
    *,
    time_limit: float = 3600,
    grace: float = 10.0,
    forward_signals: bool = False,
    children: Children | None = None,
    **options: Any,
) -> tuple[Any, ChildResult]:
    """Run ``job`` in a child for the ``crawl_runs`` row ``run_id`` that the caller opened,
    and return its report without finishing the row.

    ``run_in_child`` finishes it at once; a queue worker (#19) first decides whether the
    attempt counts (a run stopped at its time limit is tried once more under the same row).
    """
    result = run_child(
        [job, "--db", db_url, "--run-id", str(run_id)],
        stdin=config_payload(config, options),
        time_limit=time_limit,
        grace=grace,
        forward_signals=forward_signals,
        children=children,
    )
    report_type = REPORTS[job]
    data = result.stats.get("report")
    if isinstance(data, dict):
        report = report_type.from_json(data)
    else:
        report = report_type(exit_status=result.exit_status or 1, error=result.error)
    report.run_id = run_id
    return report, result
