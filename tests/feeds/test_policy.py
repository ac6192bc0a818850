"""Table tests for the polling policy, with ``now`` passed in."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from crawler.feeds.policy import (
    DAY,
    FetchResult,
    Outcome,
    PollLimits,
    PollState,
    Severity,
    cache_seconds,
    decide,
    entry_interval,
    http_severity,
    jitter_fraction,
    last_full_fetch,
    parse_retry_after,
    send_validators,
    spread_within,
)

NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)
LIMITS = PollLimits()
URL = "https://feeds.test/rss"


def hours(n: float) -> int:
    return int(n * 3600)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", NOW + timedelta(seconds=120)),
        ("0", NOW),
        ("317100", NOW + timedelta(days=1)),  # 88 h: capped at a day
        ("Tue, 10 Nov 2026 13:00:00 GMT", NOW + timedelta(hours=1)),
        ("Tue, 10 Nov 2026 11:00:00 GMT", NOW),  # in the past: now
        ("Sat, 14 Nov 2026 12:00:00 GMT", NOW + timedelta(days=1)),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: datetime | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"cache-control": "public, max-age=600"}, 600),
        ({"cache-control": "no-cache"}, None),
        ({"expires": "Tue, 10 Nov 2026 14:00:00 GMT"}, 7200),
        ({"expires": "Tue, 10 Nov 2026 10:00:00 GMT"}, 0),
        ({"expires": "garbage"}, None),
        ({"cache-control": "max-age=60", "expires": "Tue, 10 Nov 2026 14:00:00 GMT"}, 60),
        ({}, None),
    ],
)
def test_cache_seconds(headers: dict[str, str], expected: int | None) -> None:
    assert cache_seconds(headers, NOW) == expected


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ([], None),
        ([None, None], None),
        ([NOW - timedelta(minutes=10 * i) for i in range(1000)], LIMITS.min_interval),
        ([NOW - timedelta(hours=i) for i in range(1, 7 * 24 + 1)], 3600),  # 168/week
        ([NOW - timedelta(days=i) for i in range(7)], DAY),  # 7/week: a day
        ([NOW - timedelta(days=i) for i in range(1, 15)], DAY),
        ([NOW - timedelta(hours=6 * i) for i in range(28)], hours(6)),  # 28/week
        ([NOW - timedelta(days=40)], DAY),  # silent for over 30 days: the maximum
    ],
)
def test_entry_interval(dates: list[datetime | None], expected: int | None) -> None:
    assert entry_interval(dates, NOW, LIMITS) == expected


@pytest.mark.parametrize(
    ("status", "severity"),
    [
        (404, Severity.HARD),
        (410, Severity.HARD),
        (403, Severity.HARD),
        (429, Severity.SOFT),
        (408, Severity.SOFT),
        (500, Severity.SOFT),
        (503, Severity.SOFT),
    ],
)
def test_http_severity(status: int, severity: Severity) -> None:
    assert http_severity(status) is severity


def test_severity_weights() -> None:
    assert [s.weight for s in Severity] == [1.0, 0.5, 0.25]


def test_jitter_is_stable_bounded_and_spread() -> None:
    values = [jitter_fraction(f"https://f{i}.test/") for i in range(200)]
    assert all(-0.1 <= v <= 0.1 for v in values)
    assert jitter_fraction("a") == jitter_fraction("a")
    assert max(values) - min(values) > 0.15  # feeds do not share a phase


def test_spread_stays_within_bounds() -> None:
    for i in range(100):
        key = f"k{i}"
        assert LIMITS.min_interval <= spread_within(10, key, LIMITS) <= LIMITS.min_interval * 1.1
        assert LIMITS.max_interval * 0.9 <= spread_within(10**9, key, LIMITS) <= LIMITS.max_interval


def success(outcome: Outcome = Outcome.NEW, **kw: object) -> FetchResult:
    return FetchResult(outcome=outcome, status=200, **kw)  # type: ignore[arg-type]


def delay(decision_at: datetime) -> float:
    return (decision_at - NOW).total_seconds()


def test_success_uses_entry_interval_with_jitter_and_resets_failures() -> None:
    state = PollState(URL, interval=3600, failures=3.0, health="failing")
    d = decide(state, success(entry_interval=hours(6)), NOW, LIMITS)
    assert d.failures == 0
    assert d.health == "ok"
    assert d.interval == hours(6)
    assert hours(6) * 0.9 <= delay(d.next_check_at) <= hours(6) * 1.1


def test_not_modified_keeps_the_interval() -> None:
    d = decide(PollState(URL, interval=hours(2)), success(Outcome.NOT_MODIFIED), NOW, LIMITS)
    assert d.interval == hours(2)


@pytest.mark.parametrize(
    ("hints", "at_least"),
    [
        ((hours(3), None), hours(3) * 0.9),  # <ttl>
        ((None, hours(5)), hours(5) * 0.9),  # sy:updatePeriod
        ((None, None, hours(4)), hours(4) * 0.9),  # Cache-Control / Expires
        ((DAY * 3,), DAY * 0.9),  # capped at the maximum
    ],
)
def test_hints_stretch_the_interval(hints: tuple[int | None, ...], at_least: float) -> None:
    d = decide(PollState(URL), success(entry_interval=900, hint_seconds=hints), NOW, LIMITS)
    assert at_least <= delay(d.next_check_at) <= DAY


def test_failures_back_off_linearly_with_weights() -> None:
    state = PollState(URL, interval=3600)
    delays = []
    for _ in range(4):
        d = decide(state, FetchResult(Outcome.FAILED, status=500, severity=Severity.SOFT), NOW)
        delays.append(delay(d.next_check_at))
        state = PollState(URL, interval=3600, failures=d.failures, health=d.health)
    assert state.failures == 2.0
    assert state.health == "failing"
    ratios = [b / a for a, b in itertools.pairwise(delays)]
    assert all(1.1 < r < 1.5 for r in ratios)  # 1.5x, 2x, 2.5x, 3x of the interval


def test_backoff_is_capped_at_the_maximum() -> None:
    state = PollState(URL, interval=hours(12), failures=8.0, health="failing")
    d = decide(state, FetchResult(Outcome.FAILED, severity=Severity.TEMPORARY), NOW)
    assert delay(d.next_check_at) <= DAY


def test_gone_is_dead_at_once_and_probed_weekly() -> None:
    d = decide(PollState(URL), FetchResult(Outcome.FAILED, status=410, severity=Severity.HARD), NOW)
    assert d.health == "dead"
    assert 7 * DAY <= delay(d.next_check_at) <= 7.7 * DAY


def test_repeated_parse_failures_end_dead() -> None:
    state = PollState(URL, failures=9.0, health="failing")
    d = decide(state, FetchResult(Outcome.FAILED, status=200, severity=Severity.HARD), NOW)
    assert d.health == "dead"
    assert d.failures == 10.0


def test_dead_feed_that_answers_again_is_ok() -> None:
    d = decide(PollState(URL, failures=12, health="dead"), success(), NOW)
    assert d.health == "ok"
    assert d.failures == 0


def test_retry_after_blocks_the_host_and_delays_the_feed() -> None:
    until = NOW + timedelta(hours=5)
    result = FetchResult(Outcome.FAILED, status=429, severity=Severity.SOFT, retry_after=until)
    d = decide(PollState(URL, interval=900), result, NOW)
    assert d.host_blocked_until == until
    assert hours(5) <= delay(d.next_check_at) <= hours(5) * 1.1


def test_retry_after_ignored_on_other_statuses() -> None:
    until = NOW + timedelta(hours=5)
    result = FetchResult(Outcome.FAILED, status=500, severity=Severity.SOFT, retry_after=until)
    assert decide(PollState(URL), result, NOW).host_blocked_until is None


def test_permanent_redirect_moves_after_three_consecutive_fetches() -> None:
    new = "https://feeds.test/new-rss"
    state = PollState(URL)
    for expected_count in (1, 2):
        d = decide(state, success(final_url=new, permanent=True), NOW)
        assert (d.redirect_url, d.redirect_count, d.move_to) == (new, expected_count, "")
        state = PollState(URL, redirect_url=d.redirect_url, redirect_count=d.redirect_count)
    d = decide(state, success(final_url=new, permanent=True), NOW)
    assert d.move_to == new
    assert d.redirect_count == 0


def test_temporary_redirect_never_moves_and_resets_the_count() -> None:
    new = "https://feeds.test/new-rss"
    state = PollState(URL, redirect_url=new, redirect_count=2)
    d = decide(state, success(final_url=new, permanent=False), NOW)
    assert d.move_to == ""
    assert d.redirect_count == 0
    assert d.redirect_url == new


def test_redirect_to_another_target_restarts_the_count() -> None:
    state = PollState(URL, redirect_url="https://feeds.test/a", redirect_count=2)
    d = decide(state, success(final_url="https://feeds.test/b", permanent=True), NOW)
    assert (d.redirect_count, d.move_to) == (1, "")


def test_validators_sent_unless_a_day_passed_without_a_full_fetch() -> None:
    recent = [{"at": (NOW - timedelta(hours=2)).isoformat(), "code": 200}]
    old = [{"at": (NOW - timedelta(days=2)).isoformat(), "code": 200}]
    only_304 = [{"at": (NOW - timedelta(hours=h)).isoformat(), "code": 304} for h in (30, 1)]
    assert send_validators(True, last_full_fetch(recent), NOW, LIMITS)
    assert not send_validators(True, last_full_fetch(old), NOW, LIMITS)
    assert not send_validators(True, last_full_fetch(only_304), NOW, LIMITS)
    assert not send_validators(False, None, NOW, LIMITS)
    assert send_validators(True, None, NOW, LIMITS)
