"""`mediamon run`: the APScheduler daemon (and `run --once` for cron users and the demo).

Jobs are stored in the same database (SQLAlchemy job store) under stable ids, with coalesce,
max_instances=1 and a misfire grace time. Only the leader runs them (scheduler.leadership);
SIGTERM/SIGINT stop taking jobs, give running crawls a grace period, and exit 0. The config
file is re-read when it changes; an invalid edit is reported and the last good config kept.
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from crawler.config import Config, ConfigError, load_config
from scheduler.jobs import JobSpec, all_jobs, close_interrupted_runs, record
from scheduler.leadership import Leadership
from scheduler.runtime import Runtime

log = logging.getLogger(__name__)


def run_job(job_id: str, rt: Runtime | None = None) -> None:
    """Run one stored job against the daemon's runtime.

    The job store keeps the text reference ``scheduler.daemon:run_job`` and the job id only (a
    runtime, with its engine and stop event, cannot be pickled into the database); the
    :class:`RuntimeExecutor` of the daemon that runs the job passes its own runtime. Called
    without one (a job store read by a process that is not a daemon), it does nothing.
    """
    if rt is None or rt.stop.is_set():
        return
    spec = {j.id: j for j in all_jobs()}.get(job_id)
    if spec is None:
        log.error("unknown job %s in the job store; ignoring it", job_id)
        return
    record(rt, spec.id, spec.run)


class RuntimeExecutor(ThreadPoolExecutor):  # type: ignore[misc]
    """A thread pool that hands each job the runtime of the daemon that owns this executor.

    This keeps the runtime out of module state, so two daemons (two tests, two organisations'
    schedulers in one process) never see each other's runtime.
    """

    def __init__(self, rt: Runtime, max_workers: int) -> None:
        super().__init__(max_workers)
        self._rt = rt

    def _do_submit_job(self, job: Any, run_times: Sequence[datetime]) -> None:
        super()._do_submit_job(_BoundJob(job, functools.partial(run_job, rt=self._rt)), run_times)


class _BoundJob:
    """A stored job as the executor runs it: the same job, its callable given the runtime."""

    def __init__(self, job: Any, func: Callable[..., Any]) -> None:
        self._job = job
        self.func = func

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


def run_once(rt: Runtime, jobs: list[JobSpec] | None = None) -> dict[str, dict[str, Any] | None]:
    """Run every job once, in order; returns job id -> stats (None when it failed)."""
    results: dict[str, dict[str, Any] | None] = {}
    for spec in jobs or all_jobs():
        if rt.stop.is_set():
            break
        log.info("running %s", spec.id)
        results[spec.id] = record(rt, spec.id, spec.run)
    return results


class ConfigWatcher:
    """Re-reads the config file when its mtime changes; keeps the last good one on error."""

    def __init__(self, path: Path | None, config: Config) -> None:
        self.path = path
        self.config = config
        self.error = ""
        self._mtime = path.stat().st_mtime if path and path.exists() else 0.0

    def poll(self) -> Config:
        if self.path is None:
            return self.config
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            mtime = -1.0
        if mtime == self._mtime:
            return self.config
        self._mtime = mtime
        try:
            self.config = load_config(self.path)
            self.error = ""
            log.warning("config %s changed; reloaded", self.path)
        except ConfigError as exc:
            self.error = str(exc)
            log.error("config %s is now invalid; keeping the last good config:\n%s", self.path, exc)
        return self.config


def build_scheduler(rt: Runtime) -> BackgroundScheduler:
    sched = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=rt.engine)},
        executors={"default": RuntimeExecutor(rt, 4)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": rt.config.scheduler.misfire_grace_seconds,
        },
        timezone=UTC,
    )
    return sched


def schedule_jobs(sched: BackgroundScheduler, config: Config) -> None:
    for spec in all_jobs():
        sched.add_job(
            "scheduler.daemon:run_job",
            trigger=IntervalTrigger(seconds=spec.every(config), timezone=UTC),
            args=[spec.id],
            id=spec.id,
            name=spec.title,
            replace_existing=True,
        )


def install_signal_handlers(stop: threading.Event) -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        log.warning("received %s; finishing running jobs and stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def run_daemon(
    rt: Runtime,
    config_path: Path | None,
    *,
    on_event: Callable[[str], None] = lambda _message: None,
) -> int:
    """Lead (or stand by), run the jobs until told to stop, then shut down cleanly."""
    leadership = Leadership(rt.engine, rt.config.scheduler.lease_seconds)
    if not leadership.wait_for_leadership(
        rt.stop, on_standby=lambda: on_event("standing by: another scheduler is active")
    ):
        return 0
    on_event(f"active scheduler ({leadership.holder})")
    closed = close_interrupted_runs(rt)
    if closed:
        on_event(f"marked {closed} run(s) left by a dead process as interrupted")
    watcher = ConfigWatcher(config_path, rt.config)
    sched = build_scheduler(rt)
    schedule_jobs(sched, rt.config)
    sched.start()
    started = datetime.now(UTC)
    for job in sched.get_jobs():  # run everything once at start, then on its interval
        job.modify(next_run_time=started)
    try:
        while not rt.stop.wait(max(0.5, rt.config.scheduler.lease_seconds / 3)):
            if not leadership.renew():
                log.error("lost the scheduler lease; stopping so the new leader runs alone")
                break
            rt.config = watcher.poll()
    finally:
        rt.stop.set()
        sched.shutdown(wait=False)
        rt.children.stop_all(rt.config.scheduler.stop_grace_seconds)
        _wait_for_threads(sched)
        leadership.release()
        on_event("stopped")
    return 0


def _wait_for_threads(sched: BackgroundScheduler) -> None:
    executor = sched._lookup_executor("default")
    pool = getattr(executor, "_pool", None)
    if pool is not None:
        pool.shutdown(wait=True)
