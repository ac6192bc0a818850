"""What a fetched feed amounts to: the policy's input, the fetch event kept on the source, and
the document a feed entry stands for. Pure functions over spider items, used by the storage
pipeline (and by tests) so that the pipeline itself is only about writing."""

from __future__ import annotations

from typing import Any

from crawler.feeds.policy import (
    FetchResult,
    Outcome,
    PollLimits,
    cache_seconds,
    entry_interval,
    parse_retry_after,
)
from crawler.spiders.items import FeedFetched


def status_label(item: FeedFetched) -> str:
    """The status string of one fetch (Media Cloud's taxonomy)."""
    if item.deferred_until is not None:
        return "deferred: host rate-limited"
    if item.outcome is Outcome.NOT_MODIFIED:
        return "HTTP 304"
    if item.outcome is Outcome.FAILED:
        return item.error or "failed"
    return f"HTTP {item.status}" if item.status else item.outcome.value


def fetch_event(item: FeedFetched, new: int, note: str = "") -> dict[str, Any]:
    """One fetch event as kept in ``sources.events`` (the last 30 per source)."""
    event: dict[str, Any] = {
        "at": item.fetched_at.isoformat(),
        "status": status_label(item),
        "outcome": item.outcome.value,
        "code": item.status,
        "ms": item.elapsed_ms,
        "bytes": item.size,
        "conditional": item.sent_validators,
    }
    if item.final_url and item.final_url != item.url:
        event["final_url"] = item.final_url
    feed = item.feed
    if feed is not None:
        event.update(entries=len(feed.entries), new=new, format=feed.format)
        if feed.capped:
            event["capped"] = {"total": feed.total_entries, "kept": len(feed.entries)}
        if feed.future_dates:
            event["future_dates_clamped"] = feed.future_dates
        if feed.dropped:
            event["dropped"] = feed.dropped
        if feed.warning:
            event["warning"] = feed.warning
        if feed.encoding:
            event["encoding"] = f"{feed.encoding} ({feed.encoding_from})"
        if feed.served_as:
            event["served_as"] = feed.served_as
    if item.error:
        event["error"] = item.error
    if item.same_as:
        event["same_feed_as_source"] = item.same_as
    if item.shared_from:
        event["shared_from"] = item.shared_from
    if note:
        event["note"] = note
    return event


def fetch_result(item: FeedFetched, limits: PollLimits) -> FetchResult:
    """The policy's view of one fetch: outcome, entry rate, cache hints, Retry-After."""
    feed = item.feed
    interval = None
    hints: list[int | None] = []
    if feed is not None and item.outcome is Outcome.NEW:
        interval = entry_interval((e.published_at for e in feed.entries), item.fetched_at, limits)
        hints = [feed.hints.ttl_seconds, feed.hints.update_seconds]
    if item.outcome is not Outcome.FAILED:
        hints.append(cache_seconds(item.headers, item.fetched_at))
    retry = None
    if item.status in (429, 503):
        retry = parse_retry_after(
            item.headers.get("retry-after"), item.fetched_at, limits.retry_after_cap
        )
    return FetchResult(
        outcome=item.outcome,
        status=item.status,
        severity=item.severity,
        entry_interval=interval,
        hint_seconds=tuple(hints),
        retry_after=retry,
        final_url=item.final_url,
        permanent=item.permanent_redirect,
    )
