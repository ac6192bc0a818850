"""What ``status`` and ``queue dead`` show of the fleet, read from Redis.

Dramatiq keeps a queue ``NS:flow`` (a list of ids) with its messages in ``NS:flow.msgs``,
delayed retries in ``NS:flow.DQ`` and dead letters in the sorted set ``NS:flow.XQ`` (scored
by when they died) with their bodies in ``NS:flow.XQ.msgs``. Our workers add a registry
``PREFIX:workers`` (one JSON entry per worker process, rewritten on every heartbeat).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import redis
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker

from crawler.config import Queue
from scheduler.queue.broker import reasons_key
from scheduler.queue.messages import FLOWS


def workers_key(queue: Queue) -> str:
    return f"{queue.prefix}:workers"


@dataclass
class WorkerInfo:
    host: str
    pid: int
    flows: list[str]
    heartbeat: float
    runs_done: int = 0
    started: float = 0.0


@dataclass
class Heartbeat:
    """A thread that writes this worker's registry entry every ``every`` seconds, so
    ``status`` can show who is alive; the entry goes when the worker stops cleanly."""

    client: redis.Redis
    queue: Queue
    flows: list[str]
    runs_done: Any
    """A callable returning the runs this process has done."""
    every: float = 5.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def field_name(self) -> str:
        return f"{socket.gethostname()}:{os.getpid()}"

    def beat(self) -> None:
        info = WorkerInfo(
            socket.gethostname(), os.getpid(), self.flows, time.time(), int(self.runs_done())
        )
        # Redis restarting: the broker's own backoff says so in the log
        with contextlib.suppress(redis.RedisError):
            self.client.hset(workers_key(self.queue), self.field_name, json.dumps(asdict(info)))

    def start(self) -> None:
        self.beat()
        self._thread = threading.Thread(target=self._loop, name="mediamon-heartbeat", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.beat()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with contextlib.suppress(redis.RedisError):
            self.client.hdel(workers_key(self.queue), self.field_name)


@dataclass
class FlowState:
    flow: str
    waiting: int
    delayed: int
    in_progress: int
    dead: int
    oldest_age_seconds: float | None


@dataclass
class FleetStatus:
    url: str
    prefix: str
    workers: list[WorkerInfo]
    flows: list[FlowState]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _oldest_age(client: redis.Redis, ns: str, flow: str, now: float) -> float | None:
    first: Any = client.lindex(f"{ns}:{flow}", 0)
    if first is None:
        return None
    body: Any = client.hget(f"{ns}:{flow}.msgs", first)
    if body is None:
        return None
    stamp = json.loads(body).get("message_timestamp")
    return None if stamp is None else max(0.0, now - float(stamp) / 1000)


def fleet_status(client: redis.Redis, queue: Queue, where: str) -> FleetStatus:
    """The workers, and per flow: waiting, delayed (retry backoff), taken, dead, oldest."""
    ns = queue.prefix
    now = time.time()
    workers = [
        WorkerInfo(**json.loads(raw))
        for raw in client.hvals(workers_key(queue))  # type: ignore[union-attr]
    ]
    workers.sort(key=lambda w: (w.host, w.pid))
    flows = []
    for flow in FLOWS:
        waiting = int(client.llen(f"{ns}:{flow}"))  # type: ignore[arg-type]
        stored = int(client.hlen(f"{ns}:{flow}.msgs"))  # type: ignore[arg-type]
        delayed = int(client.hlen(f"{ns}:{flow}.DQ.msgs"))  # type: ignore[arg-type]
        dead = int(client.zcard(f"{ns}:{flow}.XQ"))  # type: ignore[arg-type]
        flows.append(
            FlowState(
                flow,
                waiting,
                delayed,
                max(0, stored - waiting),
                dead,
                _oldest_age(client, ns, flow, now),
            )
        )
    return FleetStatus(where, ns, workers, flows)


@dataclass
class DeadMessage:
    flow: str
    redis_id: str
    died_at: float
    group: str
    run_id: Any
    reason: str


def dead_messages(client: redis.Redis, queue: Queue) -> list[DeadMessage]:
    """Every dead-lettered message of every flow, oldest first, with its reason."""
    out = []
    reasons: Any = client.hgetall(reasons_key(queue))
    for flow in FLOWS:
        key = f"{queue.prefix}:{flow}.XQ"
        for raw_id, score in client.zrange(key, 0, -1, withscores=True):  # type: ignore[union-attr]
            body = client.hget(key + ".msgs", raw_id)
            if body is None:
                continue
            message = Message.decode(body)  # type: ignore[arg-type]
            payload = message.args[0] if message.args else None
            info = payload if isinstance(payload, dict) else {}
            out.append(
                DeadMessage(
                    flow,
                    raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id),
                    float(score) / 1000,
                    str(info.get("group", "?")),
                    info.get("run_id"),
                    _text(reasons.get(message.message_id.encode(), b"(no reason recorded)")),
                )
            )
    out.sort(key=lambda d: d.died_at)
    return out


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def retry_dead(client: redis.Redis, broker: RedisBroker, queue: Queue) -> int:
    """Put every dead-lettered message back on its queue with a fresh retry count."""
    count = 0
    for dead in dead_messages(client, queue):
        key = f"{queue.prefix}:{dead.flow}.XQ"
        body = client.hget(key + ".msgs", dead.redis_id)
        if body is None:
            continue
        message = Message.decode(body)  # type: ignore[arg-type]
        options = {
            k: v
            for k, v in message.options.items()
            if k not in ("retries", "traceback", "redis_message_id", "eta")
        }
        broker.enqueue(message.copy(queue_name=dead.flow, options=options))
        client.zrem(key, dead.redis_id)
        client.hdel(key + ".msgs", dead.redis_id)
        client.hdel(reasons_key(queue), message.message_id)
        count += 1
    return count
