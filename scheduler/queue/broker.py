"""The Dramatiq broker on Redis, built by a function from ``[queue]`` (never at import time).

The namespace is the configured prefix, so several deployments share one Redis. Every other
Redis key of ours (dedupe keys, the workers' registry, the per-host limiters) lives under the
same prefix, so ``redis-cli --scan --pattern 'mediamon:*'`` shows one deployment's state.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import redis
from dramatiq import Broker, Middleware
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
)
from dramatiq.rate_limits.backends import RedisBackend

from crawler.config import Queue

log = logging.getLogger(__name__)

#: Dead-lettered messages are kept this long (Dramatiq's default is 7 days).
DEAD_MESSAGE_TTL_MS = 7 * 24 * 3600 * 1000


class QueueUnavailable(Exception):
    """Redis cannot be reached; ``str()`` is the one line the CLI prints."""


def where(queue: Queue) -> str:
    """host:port/db of the queue, without any password, for messages and logs."""
    parts = urlsplit(queue.url)
    db = parts.path.strip("/") or "0"
    return f"{parts.hostname}:{parts.port or 6379}/{db}"


def redis_client(queue: Queue) -> redis.Redis:
    """A client for our own keys (the broker keeps its own pool)."""
    return redis.Redis.from_url(queue.url, socket_connect_timeout=5, socket_timeout=30)


def check_redis(queue: Queue) -> None:
    """Raise ``QueueUnavailable`` with one line saying why when Redis does not answer."""
    client = redis_client(queue)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise QueueUnavailable(
            f"queue.url: Redis at {where(queue)} is unreachable: {exc}"
        ) from None
    finally:
        client.close()


def wait_for_redis(
    queue: Queue,
    *,
    first_delay: float = 1.0,
    max_delay: float = 60.0,
    stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Wait until Redis answers, backing off (1 s, 2 s, 4 s ... up to ``max_delay``) and
    saying so in the log; a daemon or worker must not crash-loop while Redis restarts.
    Returns the number of failed attempts (0: it answered at once); stops early when
    ``stop()`` turns true."""
    delay = first_delay
    failures = 0
    while True:
        try:
            check_redis(queue)
        except QueueUnavailable as exc:
            failures += 1
            log.warning("%s; retrying in %.0f s", exc, delay)
            if stop():
                return failures
            sleep(delay)
            delay = min(delay * 2, max_delay)
            continue
        if failures:
            log.warning("Redis at %s answers again after %d attempt(s)", where(queue), failures)
        return failures


def reasons_key(queue: Queue) -> str:
    """Why each dead-lettered message died, by Dramatiq message id (the broker's dead-letter
    set keeps only the message as it was sent)."""
    return f"{queue.prefix}:dead-reasons"


class DeadLetterReasons(Middleware):
    """Keeps the last line of a dead-lettered message's error for ``queue dead``."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def after_nack(self, broker: Broker, message: MessageProxy) -> None:
        trace = str(message.options.get("traceback") or "").strip().splitlines()
        reason = trace[-1] if trace else "failed"
        key = reasons_key(self.queue)
        client = getattr(broker, "client", None)
        if isinstance(client, redis.Redis):
            client.hset(key, message.message_id, reason[:2000])
            client.expire(key, DEAD_MESSAGE_TTL_MS // 1000)


def build_broker(queue: Queue, *, heartbeat_timeout_ms: int | None = None) -> RedisBroker:
    """The broker with the middleware a crawler fleet needs and nothing else.

    No ``TimeLimit`` middleware: the child runner already stops a run at its limit (and
    kills it, which a thread-level limit cannot do). ``Retries`` is configured per actor
    (``actors.retry_when``).
    """
    middleware = [
        AgeLimit(),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(min_backoff=1000, max_backoff=300_000),
        CurrentMessage(),
        DeadLetterReasons(queue),
    ]
    return RedisBroker(  # type: ignore[no-untyped-call]
        url=queue.url,
        namespace=queue.prefix,
        middleware=middleware,
        heartbeat_timeout=heartbeat_timeout_ms or int(queue.heartbeat_timeout_seconds * 1000),
        dead_message_ttl=DEAD_MESSAGE_TTL_MS,
        maintenance_chance=queue.maintenance_per_million,
    )


def limiter_backend(queue: Queue) -> RedisBackend:
    """The Redis backend of the per-host ``ConcurrentRateLimiter`` (shared by the fleet)."""
    return RedisBackend(url=queue.url)
