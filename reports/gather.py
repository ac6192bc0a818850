"""Read one day's digest input from storage (the only part of the digest that queries)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crawler.storage.outbox import failed_count
from crawler.storage.reporting import (
    counts_by_day,
    day_mentions,
    failed_runs,
    monitoring_started,
    rejected_receipts,
    sites_seen_before,
    source_statuses,
    story_originals,
)
from reports.dates import day_window
from reports.model import DigestInput
from reports.view import CHART_DAYS


def load_digest_input(
    session: Session,
    org: str,
    timezone: str,
    day: date,
    now: datetime,
    own_sites: Iterable[str] = (),
) -> DigestInput:
    """Everything the digest of ``org`` for ``day`` (in ``timezone``) shows, as plain rows."""
    tz = ZoneInfo(timezone)
    window = day_window(day, tz)
    mentions = tuple(day_mentions(session, org, window.since, window.until))
    history = [day_window(day - timedelta(days=i), tz) for i in range(CHART_DAYS)]
    stories = {m.story_id for m in mentions if m.story_id is not None}
    return DigestInput(
        org=org,
        timezone=timezone,
        window=window,
        now=now,
        mentions=mentions,
        counts=counts_by_day(session, org, history),
        story_originals=story_originals(session, stories),
        sites_seen_before=frozenset(
            sites_seen_before(session, org, {m.site for m in mentions}, window.since)
        ),
        own_sites=frozenset(own_sites),
        sources=tuple(source_statuses(session, org, window.until, window.since)),
        started_at=monitoring_started(session),
        failed_runs=tuple(failed_runs(session, window.since, window.until)),
        rejected_receipts=tuple(rejected_receipts(session, window.since, window.until)),
        failed_alerts=failed_count(session, org),
    )
