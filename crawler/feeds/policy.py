"""The polling policy: when to check a feed next, how failures back off, how Retry-After,
cache headers and feed hints stretch the interval, when a feed is dead, and when a permanent
redirect moves it. Pure: every function takes ``now`` and returns values.

The shape follows Miniflux's ``entry_frequency`` scheduler (interval from the entries of the
last 7 days, then the maximum with ``<ttl>``, ``sy:updatePeriod``, ``Cache-Control``,
``Expires``) and Media Cloud's rss-fetcher (weighted failures, *linear* backoff because
exponential backoff is "extreme", feeds never silently dropped, Retry-After capped at a day).
See docs/etiquette.md for the rule-by-rule mapping.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

DAY = 86400
WEEK = 7 * DAY


class Outcome(enum.StrEnum):
    """What one fetch of a feed amounted to."""

    NEW = "fetched"  # a changed body, parsed
    NOT_MODIFIED = "not modified"  # HTTP 304: no body, no parse
    UNCHANGED = "unchanged"  # 200 with the same body hash: no parse
    FAILED = "failed"


class Severity(enum.StrEnum):
    """How much a failure counts towards backoff and the dead rule (rss-fetcher weights)."""

    HARD = "hard"  # 404, 410, other 4xx, parse errors, refused by the address guard
    SOFT = "soft"  # 5xx, 429, 408
    TEMPORARY = "temporary"  # timeouts, DNS, refused or reset connections

    @property
    def weight(self) -> float:
        return {"hard": 1.0, "soft": 0.5, "temporary": 0.25}[self.value]


def http_severity(status: int) -> Severity:
    """The severity of an HTTP error status."""
    if status in (408, 429) or status >= 500:
        return Severity.SOFT
    return Severity.HARD


@dataclass(frozen=True, slots=True)
class PollLimits:
    """The bounds the policy works within (from ``config.crawl``)."""

    min_interval: int = 15 * 60
    max_interval: int = DAY
    dead_probe: int = WEEK
    dead_after: float = 10.0
    retry_after_cap: int = DAY
    jitter: float = 0.10
    redirect_confirmations: int = 3
    verify_after: int = DAY


@dataclass(frozen=True, slots=True)
class PollState:
    """The stored state of a source that the policy reads."""

    url: str
    interval: int = 3600
    failures: float = 0.0
    health: str = "ok"
    redirect_url: str = ""
    redirect_count: int = 0


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What the fetch and parse observed, reduced to what the policy needs."""

    outcome: Outcome
    status: int | None = None
    severity: Severity | None = None
    entry_interval: int | None = None
    hint_seconds: Sequence[int | None] = ()
    retry_after: datetime | None = None
    final_url: str = ""
    permanent: bool = False
    """Every redirect hop on the way to ``final_url`` was a 301 or 308."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The new poll state."""

    next_check_at: datetime
    interval: int
    failures: float
    health: str
    redirect_url: str
    redirect_count: int
    move_to: str = ""
    host_blocked_until: datetime | None = None


def jitter_fraction(key: str, spread: float = 0.10) -> float:
    """A fraction in [-spread, +spread], stable per ``key`` (hash-based, so feeds with the
    same interval keep distinct phases instead of bursting together, run after run)."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    unit = int.from_bytes(digest[:8], "big") / 2**64
    return (unit * 2 - 1) * spread


def spread_within(interval: float, key: str, limits: PollLimits) -> int:
    """``interval`` jittered and kept inside [min, max]: at a bound the jitter only points
    inwards, so capped feeds do not all land on exactly 24 h."""
    j = jitter_fraction(key, limits.jitter)
    if interval >= limits.max_interval:
        return int(limits.max_interval * (1 - abs(j)))
    if interval <= limits.min_interval:
        return int(limits.min_interval * (1 + abs(j)))
    value = interval * (1 + j)
    return int(min(limits.max_interval, max(limits.min_interval, value)))


def entry_interval(
    published: Iterable[datetime | None], now: datetime, limits: PollLimits
) -> int | None:
    """7 days / entries of the last 7 days, clamped (Miniflux ``entry_frequency``); the
    maximum for a feed whose newest entry is over 30 days old; None without dates."""
    dates = [d for d in published if d is not None]
    if not dates:
        return None
    week = sum(1 for d in dates if now - d <= timedelta(days=7))
    if max(dates) < now - timedelta(days=30):
        return limits.max_interval
    seconds = WEEK // max(1, week)
    return min(limits.max_interval, max(limits.min_interval, seconds))


def parse_retry_after(value: str | None, now: datetime, cap: int = DAY) -> datetime | None:
    """A Retry-After header (delta-seconds or HTTP-date) as a time, capped at ``cap`` seconds
    from ``now`` (servers have asked for 88 h); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = int((when - now).total_seconds())
    return now + timedelta(seconds=min(max(seconds, 0), cap))


def cache_seconds(headers: Mapping[str, str], now: datetime) -> int | None:
    """How long the response says it stays fresh: ``Cache-Control: max-age`` (``s-maxage``
    ignored: we are not a shared cache), else ``Expires``. None when it says nothing."""
    control = headers.get("cache-control", "")
    for part in control.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.strip().isdigit():
            return int(value.strip())
    expires = headers.get("expires", "")
    if expires:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is not None:
            return max(0, int((when - now).total_seconds()))
    return None


def last_full_fetch(events: Sequence[Mapping[str, Any]]) -> datetime | None:
    """When the body was last fetched unconditionally with a 200, from the fetch events
    (newest last). With no such event among them, the oldest event's time: it was at least
    that long ago."""
    for event in reversed(events):
        if event.get("code") == 200 and event.get("at"):
            return datetime.fromisoformat(str(event["at"]))
    if events and events[0].get("at"):
        return datetime.fromisoformat(str(events[0]["at"]))
    return None


def send_validators(
    has_validators: bool, last_full: datetime | None, now: datetime, limits: PollLimits
) -> bool:
    """Whether to send If-None-Match / If-Modified-Since. Once a day a feed that only ever
    answers 304 is fetched unconditionally, against servers whose validators lie
    (rachelbythebay; Media Cloud's false-304 note)."""
    if not has_validators:
        return False
    return last_full is None or now - last_full < timedelta(seconds=limits.verify_after)


def _redirect(state: PollState, result: FetchResult, limits: PollLimits) -> tuple[str, int, str]:
    final = result.final_url if result.final_url and result.final_url != state.url else ""
    if not final or not result.permanent:
        return final, 0, ""
    count = state.redirect_count + 1 if state.redirect_url == final else 1
    if count >= limits.redirect_confirmations:
        return "", 0, final
    return final, count, ""


def decide(
    state: PollState, result: FetchResult, now: datetime, limits: PollLimits = PollLimits()
) -> Decision:
    """The next poll state after one fetch (see the module docstring for the rules)."""
    redirect_url, redirect_count, move_to = _redirect(state, result, limits)
    key = move_to or state.url
    if result.outcome is not Outcome.FAILED:
        base = result.entry_interval or state.interval
        base = min(limits.max_interval, max(limits.min_interval, base))
        hinted = max([base, *(h for h in result.hint_seconds if h)])
        delay = spread_within(min(hinted, limits.max_interval), key, limits)
        return Decision(
            next_check_at=now + timedelta(seconds=delay),
            interval=base,
            failures=0.0,
            health="ok",
            redirect_url=redirect_url,
            redirect_count=redirect_count,
            move_to=move_to,
        )
    severity = result.severity or Severity.HARD
    failures = round(state.failures + severity.weight, 2)
    dead = result.status == 410 or failures >= limits.dead_after
    wait: float
    if dead:
        wait = limits.dead_probe * (1 + abs(jitter_fraction(key, limits.jitter)))
    else:
        wait = spread_within(state.interval * (1 + failures), key, limits)
    blocked = None
    if result.retry_after is not None and result.status in (429, 503):
        blocked = result.retry_after
        told = (blocked - now).total_seconds() * (1 + abs(jitter_fraction(key, limits.jitter)))
        wait = max(wait, told)
    return Decision(
        next_check_at=now + timedelta(seconds=int(wait)),
        interval=state.interval,
        failures=failures,
        health="dead" if dead else "failing",
        redirect_url=redirect_url,
        redirect_count=redirect_count,
        move_to=move_to,
        host_blocked_until=blocked,
    )
