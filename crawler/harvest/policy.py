"""When to harvest a post, when to re-check a linkback, and what a source check means.

Pure functions of dates and values, each a table in the tests:

- **First harvest, whatever the age.** A post never harvested is due at once, however old:
  an established blog's linkbacks are what a new user most wants to see on day one (#16).
- **Recent posts, by age.** Linkbacks arrive mostly in a post's first days, so new posts are
  harvested often and older ones less: hourly while a post is under 2 days old, every 6 hours
  under 7 days, daily until ``recent_days``.
- **Older posts, on a slow sweep.** Pings and comments still reach old posts, so each is
  harvested once every ``sweep_days`` (default 30). Each post has its own fixed moment in
  the cycle (a stable hash of its URL), so an archive of thousands of posts is spread evenly
  over the cycle instead of falling due on one day.
- **Re-checks.** A linkback's source is fetched when it is first found, then again
  ``recheck_after_days`` after it was first seen (default 1 and 7 days), then never. A
  transient failure (5xx, timeout, DNS) keeps the mention and tries again an hour later,
  until a week past the last scheduled check.
- **Outcomes.** 410 Gone, a "410 Gone" meta tombstone, or a page that answers but no longer
  links marks the mention deleted; a transient problem keeps it and retries; a permanent
  problem that is not evidence of removal (a 404, a redirect loop, an oversized page, the
  address guard) keeps it and moves on to the next scheduled check.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crawler.harvest.model import SourceCheck
from crawler.receiver.decide import is_transient

__all__ = [
    "RETRY_AFTER",
    "SWEEP_DAYS",
    "CheckOutcome",
    "Judgement",
    "harvest_due",
    "harvest_interval",
    "judge",
    "last_sweep_at",
    "next_check_at",
    "retry_at",
    "sweep_offset",
]

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: (post younger than, harvest at most this often); older than the last: daily until
#: ``recent_days``.
AGE_STEPS: tuple[tuple[timedelta, timedelta], ...] = (
    (2 * DAY, HOUR),
    (7 * DAY, 6 * HOUR),
)
OLD_INTERVAL = DAY
#: Default length of the slow sweep of posts older than ``recent_days`` (``sweep_days``).
SWEEP_DAYS = 30
#: Where sweep cycles are counted from (any fixed moment works; it only has to stay fixed).
SWEEP_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
RETRY_AFTER = HOUR
GIVE_UP_AFTER_LAST = timedelta(days=7)


def harvest_interval(age: timedelta, recent_days: int) -> timedelta | None:
    """How often a post of this age is harvested; ``None`` once it is no longer recent."""
    age = max(age, timedelta(0))
    if age >= timedelta(days=recent_days):
        return None
    for younger_than, interval in AGE_STEPS:
        if age < younger_than:
            return interval
    return OLD_INTERVAL


def sweep_offset(key: str, sweep_days: int) -> timedelta:
    """The post's fixed moment within the sweep cycle: a stable hash of ``key`` (its URL).

    Stable across processes and versions (not Python's salted ``hash``), so a post keeps its
    place in the cycle from run to run, and uniform, so each day of the cycle carries about
    the same share of the archive.
    """
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    cycle = int(timedelta(days=max(sweep_days, 1)).total_seconds())
    return timedelta(seconds=int.from_bytes(digest, "big") % cycle)


def last_sweep_at(key: str, now: datetime, sweep_days: int) -> datetime:
    """The latest moment, not after ``now``, at which the post's sweep fell due: cycles are
    counted from ``SWEEP_EPOCH``, each post at its own offset into them."""
    cycle = timedelta(days=max(sweep_days, 1))
    since = now - SWEEP_EPOCH - sweep_offset(key, sweep_days)
    return now - since % cycle


def harvest_due(
    published_at: datetime | None,
    last_harvested_at: datetime | None,
    now: datetime,
    recent_days: int,
    *,
    key: str = "",
    sweep_days: int = SWEEP_DAYS,
) -> bool:
    """Whether a post (published, or first seen, at ``published_at``) is due now.

    Never harvested: due, whatever its age. Recent: by ``harvest_interval``. Older (or
    undated): when its moment in the sweep cycle (``last_sweep_at`` of ``key``) has come
    since its last harvest.
    """
    if last_harvested_at is None:
        return True
    interval = (
        harvest_interval(now - published_at, recent_days) if published_at is not None else None
    )
    if interval is not None:
        return last_harvested_at + interval <= now
    return last_harvested_at < last_sweep_at(key, now, sweep_days)


def next_check_at(
    first_seen: datetime, checks_done: int, schedule: Sequence[int], now: datetime
) -> tuple[datetime | None, int]:
    """The next re-check after ``checks_done`` re-checks, and the count it will carry.

    Scheduled times already in the past (a run that came late) are skipped, so one late
    re-check never triggers a burst of catch-up fetches. ``None`` when the schedule is done.
    """
    days = sorted(d for d in schedule if d > 0)
    index = checks_done
    while index < len(days):
        when = first_seen + timedelta(days=days[index])
        if when > now:
            return when, index
        index += 1
    return None, index


def retry_at(now: datetime, first_seen: datetime, schedule: Sequence[int]) -> datetime | None:
    """When to try again after a transient failure; ``None`` once it is time to give up."""
    last = max((d for d in schedule if d > 0), default=0)
    horizon = first_seen + timedelta(days=last) + GIVE_UP_AFTER_LAST
    when = now + RETRY_AFTER
    return when if when <= horizon else None


class CheckOutcome(enum.StrEnum):
    LIVE = "live"  # the source links to the target
    DELETED = "deleted"  # 410, tombstone, or the link is gone
    RETRY = "retry"  # transient problem: keep the mention, try again soon
    KEPT = "kept"  # permanent problem that proves nothing: keep, next scheduled check


@dataclass(frozen=True, slots=True)
class Judgement:
    outcome: CheckOutcome
    reason: str


def judge(check: SourceCheck) -> Judgement:
    """What one source check means for the mention it checks (see the module doc)."""
    if check.error:
        if is_transient(check.error):
            return Judgement(CheckOutcome.RETRY, check.error)
        return Judgement(CheckOutcome.KEPT, check.error)
    verification = check.verification
    if verification is None:
        return Judgement(CheckOutcome.RETRY, "not checked")
    if verification.linked:
        return Judgement(CheckOutcome.LIVE, "links to the post")
    if verification.deleted:
        return Judgement(CheckOutcome.DELETED, "source is gone (410)")
    if verification.problem:
        if is_transient(verification.problem):
            return Judgement(CheckOutcome.RETRY, verification.problem)
        return Judgement(CheckOutcome.KEPT, verification.problem)
    return Judgement(CheckOutcome.DELETED, "source no longer links to the post")
