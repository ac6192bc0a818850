"""One active scheduler per database: the others stand by and take over when it dies.

PostgreSQL: a session advisory lock on a dedicated connection (released by the server the
moment the holder's connection dies). SQLite: a renewed lease row with an expiry, since SQLite
has no advisory locks; a standby takes over once the holder stops renewing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from crawler.storage.leases import (
    release_advisory_lock,
    release_lease,
    try_advisory_lock,
    try_take_lease,
)
from scheduler.clock import SystemClock

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Leadership:
    """Acquire with :meth:`wait_for_leadership`; keep with :meth:`renew`; give up with
    :meth:`release`. ``renew`` returns False when leadership was lost."""

    def __init__(self, engine: Engine, ttl_seconds: float = 30.0) -> None:
        self.engine = engine
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = holder_id()
        self._conn: Connection | None = None
        self._clock = SystemClock()  # leases use real time even when jobs use a test clock

    @property
    def _postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        if self._postgres:
            if self._conn is None:
                self._conn = self.engine.connect()
            taken = try_advisory_lock(self._conn)
            self._conn.commit()
            return taken
        return try_take_lease(self.engine, LEASE_NAME, self.holder, self._clock.now(), self.ttl)

    def wait_for_leadership(
        self, stop: threading.Event, on_standby: Callable[[], None] | None = None
    ) -> bool:
        """Block until this process leads (True) or ``stop`` is set (False)."""
        announced = False
        while not stop.is_set():
            if self.try_acquire():
                return True
            if not announced:
                log.warning("another scheduler is active on this database; standing by")
                if on_standby is not None:
                    on_standby()
                announced = True
            stop.wait(max(1.0, self.ttl.total_seconds() / 3))
        return False

    def renew(self) -> bool:
        if self._postgres:
            return self._conn is not None and not self._conn.closed
        return try_take_lease(self.engine, LEASE_NAME, self.holder, self._clock.now(), self.ttl)

    def release(self) -> None:
        if self._postgres:
            if self._conn is not None:
                try:
                    release_advisory_lock(self._conn)
                    self._conn.commit()
                finally:
                    self._conn.close()
                    self._conn = None
            return
        release_lease(self.engine, LEASE_NAME, self.holder)
