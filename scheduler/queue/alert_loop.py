"""The alert sender inside ``mediamon worker`` (#21, item 2).

With queues the finds are stored by the workers, so the workers also deliver their alerts:
each worker process runs one sender pass every ``alerting.send_every_seconds`` on a thread
of its own. Several workers (and a ``mediamon run`` scheduler, whose ``alerts`` job still
runs) send each (rule, find) once: the outbox claims deliveries with a conditional state
change, so a racing pass gets none of the rows another one took.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from crawler.config import Config
from reports.alerts.sender import SendStats, send_due

log = logging.getLogger(__name__)


class AlertLoop:
    """A daemon thread running sender passes until ``stop`` (only when rules exist)."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        now: Callable[[], datetime],
        *,
        on_pass: Callable[[SendStats], None] = lambda _stats: None,
    ) -> None:
        self.config = config
        self.engine = engine
        self.now = now
        self.on_pass = on_pass
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def wanted(self) -> bool:
        """No rule, no sender: a worker of a config without alerts stays as it was."""
        return bool(self.config.alerts)

    def start(self) -> None:
        if not self.wanted or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="mediamon-alerts", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 60) -> None:
        """Let a pass in flight finish (its claims are recorded), then end the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_pass(self) -> SendStats | None:
        """One pass; a failing database or channel is logged, and the next pass retries."""
        try:
            stats = send_due(self.config, self.engine, self.now())
        except Exception as exc:  # the worker's runs must go on whatever the sender meets
            log.error("alert sender pass failed: %s: %s", type(exc).__name__, exc)
            return None
        if not stats.idle:
            log.info("alert sender: %s", stats.as_dict())
        self.on_pass(stats)
        return stats

    def _run(self) -> None:
        every = float(self.config.alerting.send_every_seconds)
        while not self._stop.is_set():
            self.run_pass()
            self._stop.wait(every)
