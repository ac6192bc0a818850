"""A 200 whose body hash matches the last one is not parsed, and it counts for the schedule
exactly as a 304 does (issue #15): same interval, same cache hints, failures reset."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.feeds.policy import Outcome, PollLimits, PollState, decide
from crawler.spiders.items import FeedFetched, FeedTask
from crawler.spiders.outcomes import fetch_result

NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)
TASK = FeedTask(source_id=1, name="wild", url="https://wild.test/feed", body_hash="abc")


def fetched(outcome: Outcome, status: int, headers: dict[str, str]) -> FeedFetched:
    return FeedFetched(
        task=TASK, outcome=outcome, fetched_at=NOW, url=TASK.url, status=status, headers=headers
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"cache-control": "max-age=14400"}, {"expires": "Tue, 10 Nov 2026 20:00:00 GMT"}],
)
def test_unchanged_body_moves_the_schedule_like_a_304(headers: dict[str, str]) -> None:
    limits = PollLimits()
    state = PollState(url=TASK.url, interval=7200, failures=1.5, health="failing")
    unchanged = decide(state, fetch_result(fetched(Outcome.UNCHANGED, 200, headers), limits), NOW)
    not_modified = decide(
        state, fetch_result(fetched(Outcome.NOT_MODIFIED, 304, headers), limits), NOW
    )
    assert unchanged == not_modified
    assert (unchanged.failures, unchanged.health) == (0.0, "ok")
    if headers:  # the response's freshness stretches the next check, as on a 304
        assert (unchanged.next_check_at - NOW).total_seconds() > 7200 * 1.1
