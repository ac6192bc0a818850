"""Fetch failures get labels the final-vs-transient table knows (issue 17, finding 2)."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

from crawler.feeds.policy import Severity
from crawler.fetching.errors import describe_exception
from crawler.receiver.decide import is_transient


def test_a_decompression_bomb_is_a_final_size_failure() -> None:
    # The message Scrapy's HttpCompressionMiddleware raises when inflating passes the limit.
    exc = IgnoreRequest(
        "Ignored response <200 http://bomb.test/> because its body (1048576 B compressed, "
        "10485760 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (10485760 B) during "
        "decompression."
    )
    error = describe_exception(exc, "http://bomb.test/")
    assert error.label == "body too large (decompressed)"
    assert error.severity is Severity.HARD
    assert not is_transient(error.label)


def test_other_refusals_are_final_too_but_host_blocks_are_not() -> None:
    assert not is_transient(describe_exception(IgnoreRequest("offsite"), "http://a.test/").label)
    blocked = IgnoreRequest("host blocked until 2026-12-06T12:00:00+00:00 (Retry-After)")
    assert is_transient(describe_exception(blocked, "http://a.test/").label)
