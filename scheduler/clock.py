"""Clocks. Jobs ask a clock for "now" instead of calling ``datetime.now`` so that tests (and
a demo) can run several simulated days in a minute with the real scheduler."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class ScaledClock:
    """Simulated time: starts at ``start`` and runs ``speed`` times faster than the wall clock.

    Given as ``--clock 2026-11-02T06:00:00+00:00x3600`` (an ISO start, ``x``, a speed).
    """

    start: datetime
    speed: float = 1.0
    _origin: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self.speed
        return self.start + timedelta(seconds=elapsed)

    @classmethod
    def parse(cls, spec: str) -> ScaledClock:
        start, _, speed = spec.partition("x")
        moment = datetime.fromisoformat(start)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return cls(moment, float(speed or 1.0))


@dataclass(frozen=True)
class FileClock:
    """Simulated time that stands still until someone steps it: the file holds one ISO time.

    Given as ``--clock file:PATH``. A test writes the next moment into the file (atomically:
    a temporary file, then ``os.replace``) and waits until every job has run at that moment,
    so a simulated day takes as long as its work, never a race against the wall clock.
    """

    path: Path

    def now(self) -> datetime:
        moment = datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_clock(spec: str) -> Clock:
    """``ISOxSPEED`` (a scaled clock) or ``file:PATH`` (a stepped clock); ValueError if bad."""
    if spec.startswith("file:"):
        clock = FileClock(Path(spec.removeprefix("file:")))
        try:
            clock.now()
        except OSError as exc:
            raise ValueError(f"cannot read the clock file: {exc.strerror}") from None
        return clock
    return ScaledClock.parse(spec)
