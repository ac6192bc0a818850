"""The harvest and re-check schedule, and what a source check means: tables of cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.harvest.model import SourceCheck
from crawler.harvest.policy import (
    CheckOutcome,
    harvest_due,
    harvest_interval,
    judge,
    next_check_at,
    retry_at,
)
from crawler.linkbacks.verify import Verification

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


@pytest.mark.parametrize(
    ("age", "interval"),
    [
        (-H, H),  # published "in the future" (clock skew): treated as brand new
        (timedelta(0), H),
        (47 * H, H),
        (2 * D, 6 * H),
        (6 * D + 23 * H, 6 * H),
        (7 * D, D),
        (59 * D, D),
        (60 * D, None),  # no longer recent: only when named
        (400 * D, None),
    ],
)
def test_harvest_interval_by_age(age: timedelta, interval: timedelta | None) -> None:
    assert harvest_interval(age, recent_days=60) == interval


@pytest.mark.parametrize(
    ("published", "last", "due"),
    [
        (T0 - H, None, True),  # never harvested
        (T0 - H, T0 - 2 * H, True),  # young post, harvested 2 h ago (every hour)
        (T0 - H, T0 - timedelta(minutes=30), False),  # harvested 30 min ago
        (T0 - 3 * D, T0 - 5 * H, False),  # 3 days old: every 6 h
        (T0 - 3 * D, T0 - 6 * H, True),
        (T0 - 20 * D, T0 - 23 * H, False),  # 20 days old: daily
        (T0 - 20 * D, T0 - D, True),
        (T0 - 90 * D, None, True),  # older than recent_days, never harvested: first harvest
        (T0 - 4000 * D, None, True),  # years old: the same
        (None, None, True),  # undated and never harvested
    ],
)
def test_harvest_due(published: datetime | None, last: datetime | None, due: bool) -> None:
    assert harvest_due(published, last, T0, recent_days=60) is due


@pytest.mark.parametrize(
    ("done", "now", "expected"),
    [
        (0, T0, (T0 + D, 0)),  # first check done at discovery: next after a day
        (1, T0 + D, (T0 + 7 * D, 1)),
        (2, T0 + 7 * D, (None, 2)),  # schedule finished
        (1, T0 + 8 * D, (None, 2)),  # a late run skips checks already in the past
        (0, T0 + 3 * D, (T0 + 7 * D, 1)),
    ],
)
def test_next_check_at(done: int, now: datetime, expected: tuple[datetime | None, int]) -> None:
    assert next_check_at(T0, done, (1, 7), now) == expected


def test_empty_schedule_never_rechecks() -> None:
    assert next_check_at(T0, 0, (), T0) == (None, 0)


def test_retry_at_gives_up_a_week_after_the_last_check() -> None:
    assert retry_at(T0 + D, T0, (1, 7)) == T0 + D + H
    assert retry_at(T0 + 14 * D - 2 * H, T0, (1, 7)) == T0 + 14 * D - H
    assert retry_at(T0 + 14 * D, T0, (1, 7)) is None


def _v(**kw: object) -> Verification:
    values: dict[str, object] = {"linked": False, "deleted": False, **kw}
    return Verification(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("check", "outcome"),
    [
        (SourceCheck("u", verification=_v(linked=True)), CheckOutcome.LIVE),
        (SourceCheck("u", verification=_v(deleted=True)), CheckOutcome.DELETED),  # 410 / meta
        (SourceCheck("u", verification=_v()), CheckOutcome.DELETED),  # link removed
        (SourceCheck("u", verification=_v(problem="HTTP 503")), CheckOutcome.RETRY),
        (SourceCheck("u", verification=_v(problem="HTTP 429")), CheckOutcome.RETRY),
        (SourceCheck("u", verification=_v(problem="HTTP 404")), CheckOutcome.KEPT),
        (SourceCheck("u", verification=_v(problem="unsupported type x")), CheckOutcome.KEPT),
        (SourceCheck("u", error="timeout"), CheckOutcome.RETRY),
        (SourceCheck("u", error="DNS error"), CheckOutcome.RETRY),
        (SourceCheck("u", error="connection refused"), CheckOutcome.RETRY),
        (SourceCheck("u", error="too many redirects"), CheckOutcome.KEPT),
        (SourceCheck("u", error="body too large (aborted)"), CheckOutcome.KEPT),
        (SourceCheck("u", error="address guard: 10.0.0.1 is a private address"), CheckOutcome.KEPT),
    ],
)
def test_judge(check: SourceCheck, outcome: CheckOutcome) -> None:
    assert judge(check).outcome is outcome
