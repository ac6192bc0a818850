"""The scheduled jobs. Each is a thin function over crawler/reports code, and each is also a
CLI command, so anything the daemon does can be run by hand.

Crawling jobs run in child processes with a time limit (scheduler.runner); the digest and the
clean-up run in process. Every run is recorded in ``crawl_runs`` with its stats and exit
status; a job that raises is logged and recorded, and the others go on.
"""

from __future__ import annotations

import json
import logging
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawler.config import Config
from crawler.storage.db import session_scope
from crawler.storage.runs import (
    discard_run,
    finish_run,
    mark_interrupted,
    start_run,
    unfinished_runs,
)
from scheduler import job_functions
from scheduler.runner import config_payload, run_child
from scheduler.runtime import Runtime

log = logging.getLogger(__name__)


JobRunner = Callable[[Runtime, int], dict[str, Any]]
"""A job: given the runtime and its crawl_runs id, returns its stats (raises on failure)."""


def child(name: str) -> JobRunner:
    """A job that runs ``scheduler.child NAME`` with the crawl time limit (or, with a
    ``[queue]``, queues its due host groups for the workers, #19)."""

    def run(rt: Runtime, run_id: int) -> dict[str, Any]:
        if rt.config.queue.enabled and name in QUEUED_JOBS:
            from scheduler.queue.broker import QueueUnavailable
            from scheduler.queue.scheduling import enqueue_due

            try:
                return enqueue_due(rt.config, rt.engine, rt.clock.now(), QUEUED_JOBS[name])
            except QueueUnavailable as exc:  # one line in the log; the next interval retries
                raise JobFailed(str(exc)) from None
        now = rt.clock.now()
        if name == "harvest":
            _inventory_new_sites(rt, now)
        result = run_child(
            [name, "--db", rt.db_url, "--now", now.isoformat(), "--run-id", str(run_id)],
            stdin=config_payload(rt.config),
            time_limit=rt.config.scheduler.crawl_time_limit_seconds,
            grace=rt.config.scheduler.stop_grace_seconds,
            children=rt.children,
        )
        stats = {k: v for k, v in result.stats.items() if k != "report"}
        if not result.ok:
            message = result.error or f"exit status {result.exit_status}"
            raise JobFailed(message, stats, exit_status=result.exit_status)
        return {**stats, "seconds": round(result.seconds, 2), "pid": result.pid}

    return run


#: Job -> the queue flow that does its work in queue mode.
QUEUED_JOBS = {
    "poll": "feeds",
    "crawl": "sites",
    "harvest": "linkbacks",
    "verify": "receipts",
    "recheck": "recheck",
}


def _inventory_new_sites(rt: Runtime, now: datetime) -> None:
    """A site never synced gets its whole post inventory before its first harvest (#16), in a
    child of its own (recorded as a ``posts`` run); a failure leaves the harvest to go on."""
    from crawler.storage.inventory import inventoried_sites

    with session_scope(rt.engine) as session:
        done = inventoried_sites(session, rt.config.organisation.name)
    if all(str(s.url) in done for s in rt.config.organisation.sites):
        return
    result = run_child(
        ["posts", "--db", rt.db_url, "--now", now.isoformat()],
        stdin=config_payload(rt.config),
        time_limit=rt.config.scheduler.crawl_time_limit_seconds,
        grace=rt.config.scheduler.stop_grace_seconds,
        children=rt.children,
    )
    if not result.ok:
        log.error("post inventory failed: %s", result.error or result.exit_status)


class JobFailed(Exception):
    def __init__(
        self, message: str, stats: dict[str, Any] | None = None, *, exit_status: int = 1
    ) -> None:
        super().__init__(message)
        self.stats = stats or {}
        self.exit_status = exit_status


@dataclass(frozen=True)
class JobSpec:
    id: str
    title: str
    every: Callable[[Config], float]
    run: JobRunner


def record(rt: Runtime, job_id: str, runner: JobRunner) -> dict[str, Any] | None:
    """Run one job and record it in crawl_runs; never raises (other jobs must go on)."""
    started = rt.clock.now()
    with session_scope(rt.engine) as session:
        run_id = start_run(
            session, job_id, started, pid=os.getpid(), org=rt.config.organisation.name
        )
    stats: dict[str, Any] = {}
    error = ""
    status = 0
    try:
        stats = runner(rt, run_id)
    except JobFailed as exc:
        stats, error = exc.stats, str(exc)
        status = int(stats.pop("exit_status", 0) or 0) or exc.exit_status or 1
        log.error("job %s failed: %s", job_id, exc)
    except Exception as exc:
        error, status = f"{type(exc).__name__}: {exc}", 1
        log.error("job %s raised:\n%s", job_id, traceback.format_exc())
    with session_scope(rt.engine) as session:
        if not status and stats.get("idle") is True:
            discard_run(session, run_id)  # a pass that found nothing to do is not history
            return stats
        finish_run(
            session, run_id, rt.clock.now(), stats=_jsonable(stats), exit_status=status, error=error
        )
    return None if status else stats


def close_interrupted_runs(rt: Runtime) -> int:
    """Mark runs left unfinished by a scheduler (or CLI) process that no longer exists.

    Called when a scheduler becomes the leader, so a run cut short by SIGKILL or a power cut
    shows up in `status` as interrupted instead of "running" forever.
    """
    closed = 0
    with session_scope(rt.engine) as session:
        for run in unfinished_runs(session):
            if run.pid is not None and _alive(run.pid):
                continue
            if run.pid is None and rt.config.queue.enabled:
                continue  # a queued run: the fleet owns it, the broker redelivers its message
            mark_interrupted(
                session, run.id, rt.clock.now(), "interrupted: the process running it died"
            )
            closed += 1
    return closed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(stats, default=str))  # type: ignore[no-any-return]


def all_jobs() -> list[JobSpec]:
    """Every job, in the order ``run --once`` uses: collect first, report last."""
    f = job_functions

    def every(attr: str) -> Callable[[Config], float]:
        return lambda config: float(getattr(config.scheduler, attr))

    return [
        JobSpec("poll", "poll due feeds", every("poll_every_seconds"), child("poll")),
        JobSpec("crawl", "crawl feed-less sites", every("crawl_every_seconds"), child("crawl")),
        JobSpec("harvest", "harvest linkbacks", every("harvest_every_seconds"), child("harvest")),
        JobSpec("verify", "verify receipts", every("verify_every_seconds"), child("verify")),
        JobSpec("recheck", "re-check linkbacks", every("recheck_every_seconds"), child("recheck")),
        JobSpec(
            "alerts",
            "send due alerts",
            lambda config: float(config.alerting.send_every_seconds),
            f.alerts,
        ),
        JobSpec(
            "websub",
            "WebSub subscriptions",
            lambda config: float(config.websub.check_every_seconds),
            f.websub,
        ),
        JobSpec("digest", "send the digest", every("digest_every_seconds"), f.digest),
        JobSpec("cleanup", "retention clean-up", every("cleanup_every_seconds"), f.cleanup),
    ]
