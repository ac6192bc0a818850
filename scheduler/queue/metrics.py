"""Dramatiq's Prometheus metrics for ``mediamon worker`` (``[queue] metrics = true``).

Dramatiq's own ``Prometheus`` middleware counts messages, errors, retries, dead letters,
messages in progress and durations per queue and actor. With several processes it uses
``prometheus_client``'s multiprocess mode: every worker process writes its figures to files
in one directory, and one exposition server (in Dramatiq's CLI a forked process of its own)
serves their sum. Here the top ``mediamon worker`` process plays that part: it makes the
directory fresh, passes it to its worker processes in the environment and serves
``/metrics`` from a thread, with Dramatiq's own handler.

Dramatiq's middleware module reads its directory and address from the environment when it
is imported (``dramatiq_prom_db``, ``dramatiq_prom_host``, ``dramatiq_prom_port``), so
``metrics_environment`` runs before that import, and the import happens only here, only when
metrics are on.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from http.server import HTTPServer
from pathlib import Path

from dramatiq.brokers.redis import RedisBroker

from crawler.config import Queue

log = logging.getLogger(__name__)

#: The shared metrics directory (Dramatiq's name); set by the top worker process for its
#: worker processes, or by the user to choose it.
DB_ENV = "dramatiq_prom_db"

#: Set by the top worker process for its worker processes: they do not serve ``/metrics``.
CHILD_ENV = "MEDIAMON_WORKER_CHILD"


def is_worker_child() -> bool:
    return os.environ.get(CHILD_ENV) == "1"


def metrics_environment(queue: Queue) -> Path | None:
    """Sets the environment Dramatiq's middleware reads. Returns the directory when this
    process made it (fresh, so no figures of an earlier run's dead processes are summed in)
    and removes it at the end; None when it was given (by the top process or the user)."""
    directory = os.environ.get(DB_ENV)
    made = None
    if not directory:
        directory = tempfile.mkdtemp(prefix=f"mediamon-metrics-{queue.prefix}-")
        made = Path(directory)
    env = {
        DB_ENV: directory,
        "dramatiq_prom_host": queue.metrics_host,
        "dramatiq_prom_port": str(queue.metrics_port),
    }
    os.environ.update(env)
    return made


def add_metrics(broker: RedisBroker) -> None:
    """Dramatiq's ``Prometheus`` middleware on this worker process's broker, booted (the
    middleware sets its metrics up on ``after_process_boot``, which Dramatiq's CLI emits and
    ours does here)."""
    from dramatiq.middleware.prometheus import Prometheus

    middleware = Prometheus()
    broker.add_middleware(middleware)
    middleware.after_process_boot(broker)  # type: ignore[no-untyped-call]


class Exposition:
    """Dramatiq's exposition handler served from a thread of the top worker process."""

    def __init__(self, queue: Queue, made: Path | None) -> None:
        from dramatiq.middleware.prometheus import _metrics_handler

        self.made = made
        self.server = HTTPServer((queue.metrics_host, queue.metrics_port), _metrics_handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="mediamon-metrics", daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        host, port = self.server.server_address[:2]
        log.warning("worker metrics on http://%s:%s/metrics", host, port)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
        if self.made is not None:
            shutil.rmtree(self.made, ignore_errors=True)
