"""Run results and counters in words (#18): the exit statuses of README "Exit codes" as
`status`, `status --json` and `run --once` name them, counters as labelled words (never raw
``key=value`` cut mid-word), and failure reasons that never repeat the status."""

from __future__ import annotations

import pytest

from scheduler.output import human_reason, run_result, stats_line


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (0, "ok"),
        (1, "done, some sources failed"),
        (2, "usage or config error"),
        (3, "nothing could be done"),
        (130, "interrupted"),
        (124, "timed out"),
        (137, "killed by signal 9"),
        (None, "running (or killed)"),
        (5, "failed"),
    ],
)
def test_every_exit_status_has_words(status: int | None, words: str) -> None:
    assert run_result(status) == words


def test_counters_are_words_in_a_fixed_order_without_zeros() -> None:
    stats = {"errors": 1, "bytes": 123456, "sources": 12, "fetched": 3, "unchanged": 0}
    assert stats_line(stats) == "12 sources · 3 fetched · 1 errors"
    assert stats_line({}) == "nothing to do"


def test_a_reason_never_repeats_the_status() -> None:
    assert human_reason("HTTP 404", "HTTP 404") == ""
    assert human_reason("HTTP 500", "upstream said no\nmore") == "upstream said no"
    assert "no feed or sitemap" in human_reason(
        "HTTP 200", "parse error: html? (no feed or sitemap found)"
    )
