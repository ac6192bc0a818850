"""Enqueue host groups instead of spawning children, and wait for their run rows.

Each group gets its ``crawl_runs`` row first (so ``--no-wait`` can print the run ids and a
redelivered message finishes the same row once), then a message. A per-group dedupe key
with an expiry (``SET NX EX``) makes sure a group already queued or running is never queued
twice, whoever enqueues: the scheduler leader, a CLI, another machine. The worker deletes
the key when the run is done; the expiry frees it when a worker died without saying so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import redis
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy.engine import Engine

from crawler.config import Config, Queue
from crawler.storage.db import session_scope
from crawler.storage.migrate import head_revision
from crawler.storage.runs import finish_run, runs_by_id, start_run
from scheduler.queue.messages import RunMessage, config_version, job_of, parse_message

if TYPE_CHECKING:  # the groups' module reads what is due (the crawl stack): a worker needs none
    from scheduler.queue.groups import Group

#: How soon ``wait_for_runs`` first looks again at the run rows (then less and less often).
FIRST_POLL_SECONDS = 0.05

#: The actor of each flow (one queue per flow, named after it).
ACTOR_PREFIX = "run_"


def dedupe_key(queue: Queue, kind: str, group: str, org: str = "") -> str:
    """The key that says a group of an organisation is queued or running: two organisations
    watching the same host are two runs (each with its own config), and each is queued."""
    return f"{queue.prefix}:group:{kind}:{group}" + (f":org:{org}" if org else "")


def send(broker: RedisBroker, message: RunMessage) -> None:
    """Put one run message on its flow's queue (no actor needs to be declared here)."""
    broker.enqueue(
        Message(
            queue_name=message.kind,
            actor_name=ACTOR_PREFIX + message.kind,
            args=(message.to_json(),),
            kwargs={},
            options={},
        )
    )


@dataclass(frozen=True)
class Enqueued:
    group: Group
    run_id: int | None
    """None: the group was already queued or running, nothing was sent."""


def enqueue_groups(
    broker: RedisBroker,
    client: redis.Redis,
    config: Config,
    engine: Engine,
    groups: Iterable[Group],
    now: datetime,
) -> list[Enqueued]:
    """Open a run row and send a message for each group that is not already queued.

    Groups marked ``first`` go out at once, one after the other (each carries the next in
    ``then``); the last of them carries all the other groups, which the worker sends when
    it has finished it. Without a first group everything goes out at once.
    """
    queue = config.queue
    schema = head_revision(engine)
    version = config_version(config)
    org = config.organisation.name
    out: list[Enqueued] = []
    firsts: list[RunMessage] = []
    rest: list[RunMessage] = []
    for group in groups:
        key = dedupe_key(queue, group.kind, group.name, org)
        if group.deduped and not client.set(key, "queued", nx=True, ex=int(queue.dedupe_seconds)):
            out.append(Enqueued(group, None))
            continue
        job = job_of(group.kind, group.options)
        try:
            with session_scope(engine) as session:
                run_id = start_run(session, job, now, pid=None, org=org)
        except BaseException:
            if group.deduped:
                client.delete(key)
            raise
        message = RunMessage(
            group.kind, group.name, run_id, schema, version, dict(group.options), org=org
        )
        (firsts if group.first else rest).append(message)
        out.append(Enqueued(group, run_id))
    if not firsts:
        for message in rest:
            send(broker, message)
        return out
    chained = [m.to_json() for m in rest]
    for message in reversed(firsts):
        chained = [RunMessage(**{**message.to_json(), "then": chained}).to_json()]
    send(broker, parse_message(chained[0]))
    return out


def wait_for_runs(
    engine: Engine,
    run_ids: Sequence[int],
    *,
    poll_seconds: float = 0.5,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Wait until every run row is finished (by whichever worker ran it); False on timeout.

    The rows are read 50 ms apart at first, then less often, up to ``poll_seconds``: a short
    run is seen done at once, a long one costs the database a read every ``poll_seconds``."""
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = min(FIRST_POLL_SECONDS, poll_seconds)
    while True:
        with session_scope(engine) as session:
            rows = runs_by_id(session, run_ids)
            if all(row.finished_at is not None for row in rows.values()):
                return True
        if deadline is not None and time.monotonic() > deadline:
            return False
        sleep(delay)
        delay = min(delay * 2, poll_seconds)


def close_run(engine: Engine, run_id: int, now: datetime, reason: str, status: int) -> None:
    """Finish a run whose message will never run (dead-lettered), so nobody waits forever."""
    with session_scope(engine) as session:
        finish_run(session, run_id, now, exit_status=status, error=reason)
