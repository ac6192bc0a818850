"""The CLI side of queue mode: enqueue a command's groups, wait for their rows, add up.

``mediamon poll``, ``crawl`` and ``linkbacks`` print the same tables in both modes; in queue
mode the table is the sum of the run rows the workers finished (per-source lines stay in
each run's row and in ``mediamon status``; an ad-hoc crawl's finds and failed pages are in
its rows' ``details``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from dramatiq.brokers.redis import RedisBroker
from redis import Redis
from sqlalchemy.engine import Engine

from crawler import clock
from crawler.config import Config
from crawler.storage.db import session_scope
from crawler.storage.runs import runs_by_id
from scheduler.queue.broker import build_broker, check_redis, redis_client
from scheduler.queue.enqueue import Enqueued, enqueue_groups
from scheduler.queue.groups import Group

R = TypeVar("R")


@dataclass
class QueueHandle:
    """The broker and a client for one command; ``close()`` when done."""

    broker: RedisBroker
    client: Redis

    def close(self) -> None:
        self.broker.close()
        self.client.close()


def open_queue(config: Config) -> QueueHandle:
    """Raises ``QueueUnavailable`` (one line) when Redis does not answer."""
    check_redis(config.queue)
    return QueueHandle(build_broker(config.queue), redis_client(config.queue))


def enqueue(
    handle: QueueHandle, config: Config, engine: Engine, groups: Sequence[Group]
) -> list[Enqueued]:
    return enqueue_groups(handle.broker, handle.client, config, engine, groups, clock.now())


def summed(report_type: type[R], engine: Engine, run_ids: Sequence[int]) -> R:
    """One report whose counters are the sum of the runs' rows (the worst exit status and
    every error, each with its run id)."""
    with session_scope(engine) as session:
        rows = sorted(runs_by_id(session, run_ids).values(), key=lambda r: r.id)
        data = [(r.id, dict(r.stats or {}), r.exit_status or 0, r.error) for r in rows]
        details = [r.details for r in rows]
    counters = {
        f.name
        for f in dataclasses.fields(report_type)  # type: ignore[arg-type]
        if f.type in ("int", int) and f.name != "exit_status"
    }
    values: dict[str, Any] = dict.fromkeys(counters, 0)
    status = 0
    errors = []
    for run_id, stats, exit_status, error in data:
        for name in counters:
            value = stats.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                values[name] += value
        status = max(status, exit_status)
        if error:
            errors.append(f"run {run_id}: {error}")
    build: Any = report_type
    report = build(**values, exit_status=status, error="; ".join(errors))
    if isinstance(report, TakesDetails):  # a queued ad-hoc crawl: its finds, run by run
        for item in details:
            report.add_details(item)
    return report  # type: ignore[no-any-return]


@runtime_checkable
class TakesDetails(Protocol):
    """A report that prints more than counters (``CrawlReport``: finds and failed pages)."""

    def add_details(self, details: dict[str, Any] | None) -> None: ...
