"""The time a crawl believes it is.

A crawl child started by the scheduler is told "now" (``--now``); with a simulated clock (tests,
the demo) that differs from the wall clock. Everything a crawl stamps — fetch times, when a
mention was first seen — asks :func:`now`, which is the wall clock shifted by the offset the
child was started with, so a simulated day stays consistent from scheduling to the digest.
The offset is per process: a crawl child runs one crawl.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset


def follow(moment: datetime) -> None:
    """From here on, :func:`now` starts at ``moment`` and advances with the wall clock."""
    global _offset
    _offset = moment - datetime.now(UTC)
