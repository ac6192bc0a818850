"""The time a crawl believes it is.

A run may be told "now" (the scheduler's simulated clock in tests and the demo, ``--now`` for
a crawl child): that moment differs from the wall clock, and everything the run stamps — fetch
times, when a mention was first seen, when its row finished — must follow it, so a simulated
day stays consistent from scheduling to the digest. A :class:`CrawlClock` is that clock: the
wall clock shifted by a fixed offset, fixed when the run opens its row.

It belongs to the run, never to the process: the run's record holds it, and its Scrapy
components read it from the crawler's settings (:data:`OFFSET_SETTING`), so several runs in one
process and one reactor each keep their own time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

#: The Scrapy setting carrying a crawl's clock offset, in seconds (absent: the wall clock).
OFFSET_SETTING = "MEDIAMON_CLOCK_OFFSET"


def now() -> datetime:
    """The wall clock, in UTC: for whatever is not part of a run with its own clock."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CrawlClock:
    """The wall clock shifted by ``offset``: starts at a given moment and runs at real speed."""

    offset: timedelta = timedelta(0)

    @classmethod
    def starting_at(cls, moment: datetime | None) -> CrawlClock:
        """A clock that reads ``moment`` now and advances with the wall clock (no moment: the
        wall clock itself)."""
        if moment is None:
            return cls()
        return cls(moment - datetime.now(UTC))

    @classmethod
    def from_settings(cls, settings: Any) -> CrawlClock:
        """The clock a run put into its crawl's settings (a Scrapy ``Settings`` object)."""
        return cls(timedelta(seconds=settings.getfloat(OFFSET_SETTING, 0.0)))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def settings(self) -> Mapping[str, float]:
        """The crawl settings that give a run's Scrapy components this clock."""
        return {OFFSET_SETTING: self.offset.total_seconds()}
