"""The actors: what a worker does with one message (one run for one host group).

Every run goes through ``scheduler.runner.run_opened``, in a child process with the crawl
time limit, never in the worker process: a crash or a leak in one crawl cannot take the
worker down. What happens to a message is decided here and carried out by Dramatiq's
``Retries`` middleware (``retry_when``):

* an unknown kind or another message format: dead-lettered at once with the reason;
* a run stopped at its time limit: tried once more under the same run row, then
  dead-lettered (the row is finished with the reason);
* the database unreachable, a worker of another schema or config version, the worker
  stopping: back to the queue with backoff, nothing acknowledged as done;
* the host busy with another worker's run (the per-host ``ConcurrentRateLimiter``): back to
  the queue for as long as it takes;
* a message whose run row is already finished (a redelivery after a worker died just after
  finishing): acknowledged without running again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dramatiq
from dramatiq import Retry
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage
from dramatiq.rate_limits import ConcurrentRateLimiter
from dramatiq.rate_limits.backends import RedisBackend
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from crawler import clock
from crawler.config import Config
from crawler.runs.record import finish_report
from crawler.storage.db import DatabaseError, check_connection, session_scope
from crawler.storage.migrate import current_revision, head_revision
from crawler.storage.runs import runs_by_id
from scheduler.queue.enqueue import ACTOR_PREFIX, close_run, dedupe_key
from scheduler.queue.messages import FLOWS, BadMessage, RunMessage, config_version, parse_message
from scheduler.runner import TIMEOUT_EXIT, Children, run_opened

log = logging.getLogger(__name__)

#: Retries of a message that waits for something outside it (database, host, right worker).
WAIT_RETRIES = 30


class Refused(Exception):
    """This worker will not run the message now; another worker (or a later try) will."""


class DatabaseUnavailable(Refused):
    pass


class WrongVersion(Refused):
    pass


class Interrupted(Refused):
    """The worker is stopping and stopped the run; the message is retried later."""


class RunTimedOut(Exception):
    pass


class HostBusy(Retry):
    """Another worker holds this host's slot: try again soon (1 s, 2 s ... at most a
    minute apart) for as long as it takes; a long crawl of the host must not kill the
    message. The slot of a worker that died frees itself after the run's time limit."""

    def __init__(self, message: str, retries: int) -> None:
        super().__init__(message, delay=int(min(2**retries, 60) * 1000))


def retry_when(retries: int, exc: BaseException) -> bool:
    """Dramatiq asks this after a failure (``retries`` failures before this one)."""
    if isinstance(exc, BadMessage):
        return False
    if isinstance(exc, HostBusy):
        return True
    if isinstance(exc, RunTimedOut):
        return retries < 1
    if isinstance(exc, Refused):
        return retries < WAIT_RETRIES
    return retries < 2


@dataclass
class Executor:
    """Runs messages for one worker process; its counters feed the workers' registry.

    ``config`` is the first organisation's (its ``[queue]`` is the fleet's); ``others`` are
    the further organisations the worker serves (#16). Each message runs with the config of
    the organisation it names."""

    config: Config
    db_url: str
    engine: Engine
    limiter_backend: RedisBackend
    forget: Callable[[str], None]
    """Deletes a dedupe key (the group may be queued again)."""
    send: Callable[[RunMessage], None]
    """Sends a message (the ``then`` of a finished run)."""
    stopping: threading.Event = field(default_factory=threading.Event)
    children: Children = field(default_factory=Children)
    """This worker's running crawl children: stopped when the worker stops."""
    runs_done: int = 0
    others: tuple[Config, ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _head: str = ""

    def config_for(self, message: RunMessage) -> Config:
        """The config of the message's organisation, or ``WrongVersion`` (the message is
        retried: a worker that serves that organisation takes it)."""
        configs = (self.config, *self.others)
        if not message.org:
            if len(configs) == 1:
                return self.config  # a format-1 message: this worker's only organisation
            raise WrongVersion("the message names no organisation and this worker serves several")
        for config in configs:
            if config.organisation.name == message.org:
                return config
        names = ", ".join(repr(c.organisation.name) for c in configs)
        raise WrongVersion(f"organisation {message.org!r} is not served here ({names})")

    def __call__(self, payload: Any) -> None:
        try:
            message = parse_message(payload)
        except BadMessage as exc:
            log.error("dead-lettering a message: %s", exc)
            self._close_bad(payload, f"bad message: {exc}")
            raise
        config = self._check_versions(message)
        limit = config.scheduler.crawl_time_limit_seconds + config.scheduler.stop_grace_seconds
        limiter = ConcurrentRateLimiter(  # type: ignore[no-untyped-call]
            self.limiter_backend,
            f"{self.config.queue.prefix}:host:{message.group}",
            limit=self.config.queue.per_host_concurrency,
            ttl=int((limit + 5) * 1000),
        )
        with limiter.acquire(raise_on_failure=False) as acquired:
            if not acquired:
                log.info(
                    "run %s: host %s is busy with another run; later", message.run_id, message.group
                )
                raise HostBusy(f"host {message.group} is busy with another run", _retries())
            self._run(message, config)

    def _check_versions(self, message: RunMessage) -> Config:
        """The message's config, once the database, the message and this worker agree on the
        schema and that config's version (``WrongVersion`` otherwise)."""
        try:
            check_connection(self.engine)
            current = current_revision(self.engine)
        except (DatabaseError, OperationalError) as exc:
            log.warning(
                "run %s (%s %s) goes back: %s", message.run_id, message.kind, message.group, exc
            )
            raise DatabaseUnavailable(str(exc)) from None
        if not self._head:
            self._head = head_revision(self.engine)  # the code's head: fixed for the process
        mine = self._head
        if message.schema != mine or current != mine:
            reason = f"schema: message {message.schema}, database {current}, this worker {mine}"
            log.warning("refusing run %s: %s", message.run_id, reason)
            raise WrongVersion(reason)
        try:
            config = self.config_for(message)
        except WrongVersion as exc:
            log.warning("refusing run %s: %s", message.run_id, exc)
            raise
        ours = config_version(config)
        if message.config != ours:
            reason = f"config version: message {message.config}, this worker {ours}"
            log.warning("refusing run %s: %s", message.run_id, reason)
            raise WrongVersion(reason)
        return config

    def _finished(self, run_id: int) -> bool:
        with session_scope(self.engine) as session:
            row = runs_by_id(session, [run_id]).get(run_id)
        return row is None or row.finished_at is not None

    def _run(self, message: RunMessage, config: Config) -> None:
        if self._finished(message.run_id):
            log.info("run %s is already finished; not running it again", message.run_id)
            self._release(message)
            self._send_next(message)
            return
        if self.stopping.is_set():
            # SIGTERM came after the message was taken (prefetched, or waiting for its thread):
            # a run that has not started is not started now; it goes back to the queue.
            raise Interrupted(f"run {message.run_id} not started: the worker is shutting down")
        retries = _retries()
        report, result = run_opened(
            message.job,
            config,
            self.db_url,
            message.run_id,
            time_limit=config.scheduler.crawl_time_limit_seconds,
            grace=config.scheduler.stop_grace_seconds,
            children=self.children,
            **message.options,
        )
        if self.stopping.is_set() and not result.ok:
            raise Interrupted(f"run {message.run_id} stopped: the worker is shutting down")
        if result.exit_status == TIMEOUT_EXIT and retries < 1:
            raise RunTimedOut(
                f"run {message.run_id} ({message.kind} {message.group}): "
                f"{result.error}; trying once more"
            )
        try:
            finish_report(self.engine, message.run_id, report)
        except (DatabaseError, OperationalError) as exc:  # the run is redone, its row kept
            raise DatabaseUnavailable(f"run {message.run_id} not recorded: {exc}") from None
        self._release(message)
        self._send_next(message)
        with self._lock:
            self.runs_done += 1
        if result.exit_status == TIMEOUT_EXIT:
            raise RunTimedOut(
                f"run {message.run_id} ({message.kind} {message.group}): {result.error} twice"
            )

    def _release(self, message: RunMessage) -> None:
        """The group may be queued again (an ad-hoc run never held its group's key: it must
        not free the key of the group's scheduled run)."""
        if not message.adhoc:
            self.forget(dedupe_key(self.config.queue, message.kind, message.group, message.org))

    def _send_next(self, message: RunMessage) -> None:
        """The messages that waited for this run (a bad one is logged and left out)."""
        for data in message.then:
            try:
                follower = parse_message(data)
            except BadMessage as exc:
                log.error("run %s: not sending a follower: %s", message.run_id, exc)
                continue
            self.send(follower)

    def _close_bad(self, payload: Any, reason: str) -> None:
        """Finish the row of a message that will never run, so no CLI waits for it."""
        run_id = payload.get("run_id") if isinstance(payload, dict) else None
        if not isinstance(run_id, int) or isinstance(run_id, bool):
            return
        try:
            close_run(self.engine, run_id, clock.now(), reason, 2)
        except (DatabaseError, OperationalError):
            log.warning("could not close run %s of a bad message", run_id)


def _retries() -> int:
    """How often the message being run failed before (0 outside a worker)."""
    current = CurrentMessage.get_current_message()
    return int(current.options.get("retries", 0)) if current is not None else 0


def declare_actors(broker: RedisBroker, executor: Executor, flows: list[str]) -> None:
    """One actor (and queue) per flow this worker takes; other flows stay untouched."""
    for kind in flows:
        if kind not in FLOWS:
            raise ValueError(f"unknown flow {kind!r}")

        def run(payload: Any) -> None:
            executor(payload)

        dramatiq.actor(
            actor_name=ACTOR_PREFIX + kind,
            queue_name=kind,
            broker=broker,
            retry_when=retry_when,
        )(run)
