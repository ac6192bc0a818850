"""The digest's view model: frozen dataclasses holding only display-ready strings and numbers.

Templates only lay these out; every decision (what is new, which article is a story's original,
what is late, how long a title may be) is made in ``reports.view.build_digest`` where it can be
tested as data. ``as_dict`` gives the JSON the golden test compares.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from crawler.storage.mentions import MentionView
from crawler.storage.reporting import DayWindow, ReceiptRecord, RunRecord, SourceStatus
from reports.highlight import Segment


@dataclass(frozen=True, slots=True)
class DigestInput:
    """Everything ``build_digest`` needs, as plain rows read from storage."""

    org: str
    timezone: str
    window: DayWindow
    now: datetime
    mentions: tuple[MentionView, ...]
    counts: Mapping[date, Mapping[str, int]]
    """Live mentions per kind for each of the 14 days ending on the digest's day."""
    story_originals: Mapping[int, int | None]
    sites_seen_before: frozenset[str]
    own_sites: frozenset[str]
    """Host names of the organisation's own sites (never a "new outlet")."""
    sources: tuple[SourceStatus, ...]
    failed_runs: tuple[RunRecord, ...]
    rejected_receipts: tuple[ReceiptRecord, ...]
    failed_alerts: int = 0
    """Alert deliveries given up on after their retries (#21), not yet requeued."""
    started_at: datetime | None = None
    """When monitoring began (the first recorded run): a day before it was not watched."""

    @property
    def day(self) -> date:
        return self.window.day


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a very busy day goes into the email (counts and the chart always cover
    everything). Mail clients clip long messages (Gmail at about 100 KB) and nobody reads the
    10,000th item; the rest is one link away (``reports.links``)."""

    stories: int = 60
    linkbacks: int = 120
    outlets: int = 50
    late: int = 50
    health_items: int = 30


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class KindCount:
    kind: str
    label: str
    today: int
    previous: int
    change: str
    trend: str
    """"up", "down" or "flat" against the previous day."""
    average: str
    """Mean per day over the 7 days before, one decimal."""


@dataclass(frozen=True, slots=True)
class ChartBar:
    day: str
    label: str
    total: int
    coverage: int
    linkbacks: int
    coverage_pct: int
    linkbacks_pct: int
    rest_pct: int
    is_day: bool
    text_bar: str


@dataclass(frozen=True, slots=True)
class LinkbackItem:
    kind: str
    kind_label: str
    title: str
    url: str
    site: str
    author: str
    date: str
    found: str
    context: str
    note: str
    our_reply: bool


@dataclass(frozen=True, slots=True)
class LinkbackGroup:
    kind: str
    label: str
    items: tuple[LinkbackItem, ...]


@dataclass(frozen=True, slots=True)
class PostLinkbacks:
    target: str
    title: str
    count: int
    groups: tuple[LinkbackGroup, ...]
    hidden: int


@dataclass(frozen=True, slots=True)
class Pickup:
    title: str
    url: str
    site: str
    date: str


@dataclass(frozen=True, slots=True)
class StoryView:
    kind: str
    kind_label: str
    title: str
    url: str
    site: str
    source: str
    author: str
    date: str
    found: str
    snippet: tuple[Segment, ...]
    queries: tuple[str, ...]
    terms: tuple[str, ...]
    weight: int
    pickups: tuple[Pickup, ...]


@dataclass(frozen=True, slots=True)
class Outlet:
    site: str
    count: int
    title: str
    url: str
    kind_label: str


@dataclass(frozen=True, slots=True)
class LateArrival:
    title: str
    url: str
    site: str
    kind_label: str
    published: str
    days_late: int


@dataclass(frozen=True, slots=True)
class SourceIssue:
    name: str
    url: str
    state: str
    detail: str


@dataclass(frozen=True, slots=True)
class RunIssue:
    job: str
    at: str
    detail: str


@dataclass(frozen=True, slots=True)
class ReceiptIssue:
    protocol: str
    source: str
    target: str
    reason: str
    at: str


@dataclass(frozen=True, slots=True)
class HealthView:
    sources_total: int
    sources_checked: int
    errors: int
    failing: tuple[SourceIssue, ...]
    silent: tuple[SourceIssue, ...]
    run_errors: tuple[RunIssue, ...]
    rejected: tuple[ReceiptIssue, ...]
    hidden: int
    failed_alerts: int = 0
    note: str = ""
    """Why there are no checks to count, when there are none: "monitoring started on D",
    "this day has not happened yet", "no source was checked on this day" (#18)."""

    @property
    def checks(self) -> str:
        """What the footer says about the day's checks: the note, or "N of M sources
        checked"."""
        return self.note or f"{self.sources_checked} of {self.sources_total} sources checked"

    @property
    def all_clear(self) -> bool:
        return not (
            self.failing or self.silent or self.run_errors or self.rejected or self.failed_alerts
        )

    @property
    def line(self) -> str:
        """One line for the top of the digest, so a problem is seen even when a long message
        is clipped by the mail client before the footer."""
        parts = [self.checks]
        for n, what in (
            (self.errors, "crawl error"),
            (len(self.failing), "failing source"),
            (len(self.silent), "silent source"),
            (len(self.rejected), "rejected linkback"),
            (self.failed_alerts, "failed alert"),
        ):
            if n:
                parts.append(f"{n} {what}{'s' if n != 1 else ''}")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class DigestView:
    org: str
    day: str
    day_label: str
    timezone: str
    subject: str
    total: int
    summary: str
    empty: bool
    empty_line: str
    counts: tuple[KindCount, ...]
    total_count: KindCount
    chart: tuple[ChartBar, ...]
    chart_max: int
    linkbacks: tuple[PostLinkbacks, ...]
    linkback_count: int
    linkbacks_hidden: int
    press: tuple[StoryView, ...]
    press_count: int
    press_hidden: int
    outlets: tuple[Outlet, ...]
    outlets_hidden: int
    late: tuple[LateArrival, ...]
    late_hidden: int
    health: HealthView
    generated: str
    more_url: str
    """Where the sections cut with "and N more" are whole (``reports.links``); "" if nowhere."""
    more_label: str
    #: Linkbacks found on the day on posts older than ``OLDER_POST_DAYS`` and dated well
    #: before the day: what a first harvest of an old blog brings in (#16), shown apart.
    older_linkbacks: tuple[PostLinkbacks, ...] = ()
    older_count: int = 0
    older_hidden: int = 0
    #: How many posts the linkbacks are on: all of them, not only those shown within the
    #: item budget (a first harvest's backlog spreads over many posts).
    linkback_post_count: int = 0
    older_post_count: int = 0


def as_dict(view: DigestView) -> dict[str, Any]:
    """The view model as JSON-ready data (for the golden file and debugging)."""
    return dataclasses.asdict(view)
