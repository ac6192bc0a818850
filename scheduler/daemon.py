"""`mediamon run`: the APScheduler daemon (and `run --once` for cron users and the demo).

Jobs are stored in the same database (SQLAlchemy job store) under stable ids, with coalesce,
max_instances=1 and a misfire grace time. Only the leader runs them (scheduler.leadership);
SIGTERM/SIGINT stop taking jobs, give running crawls a grace period, and exit 0. The config
file is re-read when it changes; an invalid edit is reported and the last good config kept.

Several organisations in one database (#16): one daemon leads for the database and every job
runs once per loaded organisation, each with its own config (its own ``Runtime``), in the
order the config files were given.
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


def run_job(job_id: str, runtimes: Sequence[Runtime] = ()) -> None:
    """Run one stored job for each of the daemon's organisations in turn.

    The job store keeps the text reference ``scheduler.daemon:run_job`` and the job id only (a
    runtime, with its engine and stop event, cannot be pickled into the database); the
    :class:`RuntimeExecutor` of the daemon that runs the job passes its runtimes, one per
    organisation. Called without any (a job store read by a process that is not a daemon), it
    does nothing.
    """
    spec = {j.id: j for j in all_jobs()}.get(job_id)
    if spec is None:
        log.error("unknown job %s in the job store; ignoring it", job_id)
        return
    for rt in runtimes:
        if rt.stop.is_set():
            return
        record(rt, spec.id, spec.run)


class RuntimeExecutor(ThreadPoolExecutor):  # type: ignore[misc]
    """A thread pool that hands each job the runtimes (one per organisation) of the daemon
    that owns this executor.

    This keeps the runtimes out of module state, so two daemons in one process (tests) never
    see each other's organisations.
    """

    def __init__(self, runtimes: Sequence[Runtime], max_workers: int) -> None:
        super().__init__(max_workers)
        self._runtimes = tuple(runtimes)

    def _do_submit_job(self, job: Any, run_times: Sequence[datetime]) -> None:
        bound = functools.partial(run_job, runtimes=self._runtimes)
        super()._do_submit_job(_BoundJob(job, bound), run_times)


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


def run_once_each(
    runtimes: Sequence[Runtime], jobs: list[JobSpec] | None = None
) -> dict[str, dict[str, Any] | None]:
    """``run_once`` for each organisation in turn (#16); with several, the result's keys
    are ``org: job`` so a failure names its organisation."""
    if len(runtimes) == 1:
        return run_once(runtimes[0], jobs)
    results: dict[str, dict[str, Any] | None] = {}
    for rt in runtimes:
        name = rt.config.organisation.name
        results.update({f"{name}: {job}": s for job, s in run_once(rt, jobs).items()})
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


def build_scheduler(rt: Runtime, runtimes: Sequence[Runtime] = ()) -> BackgroundScheduler:
    """The leader's scheduler: jobs stored in ``rt``'s database, run for each of ``runtimes``
    (the database's organisations; default: ``rt`` alone)."""
    sched = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=rt.engine)},
        executors={"default": RuntimeExecutor(runtimes or [rt], 4)},
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
    others: Sequence[tuple[Runtime, Path | None]] = (),
) -> int:
    """Lead (or stand by), run the jobs until told to stop, then shut down cleanly.

    ``others`` are more organisations of the same database (each runtime with its config
    file, sharing ``rt``'s engine, clock and stop flag): one leader runs every job for each.
    """
    leadership = Leadership(rt.engine, rt.config.scheduler.lease_seconds)
    if not leadership.wait_for_leadership(
        rt.stop, on_standby=lambda: on_event("standing by: another scheduler is active")
    ):
        return 0
    on_event(f"active scheduler ({leadership.holder})")
    closed = close_interrupted_runs(rt)
    if closed:
        on_event(f"marked {closed} run(s) left by a dead process as interrupted")
    watched = [(rt, ConfigWatcher(config_path, rt.config))]
    watched += [(other, ConfigWatcher(path, other.config)) for other, path in others]
    sched = build_scheduler(rt, [runtime for runtime, _ in watched])
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
            for runtime, watcher in watched:
                runtime.config = watcher.poll()
    finally:
        rt.stop.set()
        sched.shutdown(wait=False)
        for runtime, _ in watched:
            runtime.children.stop_all(rt.config.scheduler.stop_grace_seconds)
        _wait_for_threads(sched)
        leadership.release()
        on_event("stopped")
    return 0


def _wait_for_threads(sched: BackgroundScheduler) -> None:
    executor = sched._lookup_executor("default")
    pool = getattr(executor, "_pool", None)
    if pool is not None:
        pool.shutdown(wait=True)
