"""What the scheduler leader does in queue mode: queue the due groups of one flow.

Redis unreachable is waited out with backoff (and logged) for a short while; if it stays
down the job fails with one line, is recorded, and the next interval tries again, so the
daemon never crash-loops and queued work in Redis is never touched.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from crawler.config import Config
from scheduler.queue.broker import QueueUnavailable, build_broker, redis_client, wait_for_redis
from scheduler.queue.enqueue import enqueue_groups
from scheduler.queue.groups import due_groups

log = logging.getLogger(__name__)

#: Failed pings (1 s, 2 s, 4 s, 8 s apart) before a scheduled enqueue gives up till next time.
ATTEMPTS = 5


def enqueue_due(config: Config, engine: Engine, now: datetime, flow: str) -> dict[str, Any]:
    """Queue every due group of ``flow`` that is not already queued; returns the job's stats."""
    attempts = 0

    def give_up() -> bool:
        nonlocal attempts
        attempts += 1
        return attempts >= ATTEMPTS

    if wait_for_redis(config.queue, stop=give_up) and attempts >= ATTEMPTS:
        raise QueueUnavailable(f"queue.url: Redis unreachable; {flow} not queued this time")
    broker = build_broker(config.queue)
    client = redis_client(config.queue)
    try:
        done = enqueue_groups(
            broker, client, config, engine, due_groups(config, engine, now, [flow]), now
        )
    finally:
        broker.close()
        client.close()
    queued = [d.run_id for d in done if d.run_id is not None]
    return {"queued": len(queued), "already_queued": len(done) - len(queued), "runs": queued}
