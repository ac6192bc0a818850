"""Read queries for the daily digest, returning plain frozen rows.

The digest's view model is built by a pure function (``reports.view.build_digest``) so it can
be golden-tested without a database; these functions are everything it needs from storage.
Each one is a small indexed query: counts are grouped in SQL per day (one query a day, on the
``(org, first_seen_at)`` index) rather than pulling two weeks of rows into Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from crawler.domain import FoundVia, MentionKind, MentionStatus, ReceiptState
from crawler.storage.mentions import MentionView
from crawler.storage.models import (
    CrawlRunRow,
    DocumentRow,
    FeedEntryRow,
    MentionRow,
    PostRow,
    ReceiptRow,
    SourceRow,
    StoryRow,
)
from crawler.storage.triage import HIDDEN

CHUNK = 500


def kept_by_triage() -> ColumnElement[bool]:
    """Finds the digest shows: not triaged, or triaged relevant (#20: an editor's
    irrelevant or spam leaves a find out of the digest and its counts)."""
    return or_(MentionRow.triage.is_(None), MentionRow.triage.not_in(HIDDEN))


@dataclass(frozen=True, slots=True)
class DayWindow:
    """One calendar day in the organisation's timezone as a UTC half-open interval."""

    day: date
    since: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source's health as the digest footer shows it."""

    name: str
    url: str
    kind: str
    type: str
    """feed, site or own (one of the organisation's own blogs)."""
    health: str
    checked_at: datetime | None
    last_status: int | None
    last_error: str
    disabled_reason: str
    created_at: datetime
    last_new_at: datetime | None
    """When the source last gave us something new (a feed entry or a mention), before the end
    of the digest's day."""
    checked_between: bool = False
    """Whether it was checked within the window asked for (its kept fetch events, or its last
    check, fall inside it): what the health footer counts, never a later check (#18)."""


@dataclass(frozen=True, slots=True)
class RunRecord:
    job: str
    started_at: datetime
    exit_status: int | None
    error: str


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    protocol: str
    source: str
    target: str
    reason: str
    at: datetime


def day_mentions(session: Session, org: str, since: datetime, until: datetime) -> list[MentionView]:
    """Live mentions of ``org`` first seen in [since, until), oldest first: the same rows as
    ``list_mentions``, but reading only the columns the digest shows (never the documents'
    full text), which makes a 10,000-mention day several times cheaper to load."""
    post = aliased(PostRow)
    m, d = MentionRow, DocumentRow
    stmt = (
        select(
            m.id,
            m.kind,
            m.target,
            m.queries,
            m.terms,
            m.snippet,
            m.hits,
            m.author,
            m.note,
            m.context,
            m.by_organisation,
            m.status,
            m.found_via,
            m.first_seen_at,
            d.id.label("document_id"),
            d.url,
            d.canonical_url,
            d.title,
            d.site,
            d.author.label("document_author"),
            d.language,
            d.published_at,
            d.story_id,
            post.title.label("target_title"),
            post.published_at.label("target_published_at"),
            SourceRow.name.label("source_name"),
            SourceRow.weight.label("source_weight"),
        )
        .join(d, d.id == m.document_id)
        .outerjoin(post, post.id == m.post_id)
        .outerjoin(SourceRow, SourceRow.id == m.source_id)
        .where(
            m.org == org,
            m.first_seen_at >= since,
            m.first_seen_at < until,
            m.status == MentionStatus.LIVE.value,
            kept_by_triage(),
        )
        .order_by(m.first_seen_at, m.id)
    )
    out = []
    for r in session.execute(stmt):
        out.append(
            MentionView(
                id=r.id,
                org=org,
                url=r.url,
                canonical_url=r.canonical_url,
                kind=MentionKind(r.kind),
                title=r.title,
                site=r.site,
                author=r.author or r.document_author,
                language=r.language,
                published_at=r.published_at,
                first_seen_at=r.first_seen_at,
                target=r.target,
                target_title=r.target_title or "",
                queries=tuple(r.queries or ()),
                terms=tuple(r.terms or ()),
                snippet=r.snippet,
                hits=tuple((int(a), int(b)) for a, b in (r.hits or ())),
                note=r.note,
                context=r.context,
                by_organisation=r.by_organisation,
                status=MentionStatus(r.status),
                found_via=FoundVia(r.found_via),
                story_id=r.story_id,
                document_id=r.document_id,
                source_name=r.source_name or "",
                source_weight=r.source_weight if r.source_weight is not None else 1,
                target_published_at=r.target_published_at,
            )
        )
    return out


def counts_by_day(
    session: Session, org: str, windows: Sequence[DayWindow]
) -> dict[date, dict[str, int]]:
    """Live mentions per kind first seen on each day (missing kinds are absent, not 0)."""
    out: dict[date, dict[str, int]] = {}
    for w in windows:
        stmt = (
            select(MentionRow.kind, func.count())
            .where(
                MentionRow.org == org,
                MentionRow.first_seen_at >= w.since,
                MentionRow.first_seen_at < w.until,
                MentionRow.status == MentionStatus.LIVE.value,
                kept_by_triage(),
            )
            .group_by(MentionRow.kind)
        )
        out[w.day] = {str(kind): int(n) for kind, n in session.execute(stmt)}
    return out


def story_originals(session: Session, story_ids: Iterable[int]) -> dict[int, int | None]:
    """story id -> the document id recorded as the story's original (None when unknown)."""
    ids = sorted(set(story_ids))
    out: dict[int, int | None] = {}
    for i in range(0, len(ids), CHUNK):
        stmt = select(StoryRow.id, StoryRow.original_document_id).where(
            StoryRow.id.in_(ids[i : i + CHUNK])
        )
        for sid, doc in session.execute(stmt):
            out[sid] = doc
    return out


def sites_seen_before(
    session: Session, org: str, sites: Iterable[str], before: datetime
) -> set[str]:
    """Which of ``sites`` already had a mention of ``org`` before ``before``."""
    wanted = sorted({s for s in sites if s})
    seen: set[str] = set()
    for i in range(0, len(wanted), CHUNK):
        stmt = (
            select(DocumentRow.site)
            .join(MentionRow, MentionRow.document_id == DocumentRow.id)
            .where(
                MentionRow.org == org,
                MentionRow.first_seen_at < before,
                DocumentRow.site.in_(wanted[i : i + CHUNK]),
            )
            .distinct()
        )
        seen.update(session.scalars(stmt))
    return seen


def _checked_between(row: SourceRow, since: datetime | None, until: datetime) -> bool:
    if since is None:
        return False
    times = [_aware(e.get("at")) for e in row.events or [] if isinstance(e, dict)]
    times.append(_aware(row.checked_at))
    return any(t is not None and since <= t < until for t in times)


def source_statuses(
    session: Session, org: str, until: datetime, since: datetime | None = None
) -> list[SourceStatus]:
    """Every source of ``org`` that existed before ``until``, with when it last yielded
    something new (before ``until``) and whether it was checked in [``since``, ``until``)."""
    entries = (
        select(FeedEntryRow.source_id, func.max(FeedEntryRow.first_seen_at).label("at"))
        .where(FeedEntryRow.first_seen_at < until)
        .group_by(FeedEntryRow.source_id)
        .subquery()
    )
    mentions = (
        select(MentionRow.source_id, func.max(MentionRow.first_seen_at).label("at"))
        .where(MentionRow.org == org, MentionRow.first_seen_at < until)
        .group_by(MentionRow.source_id)
        .subquery()
    )
    stmt = (
        select(SourceRow, entries.c.at, mentions.c.at)
        .outerjoin(entries, entries.c.source_id == SourceRow.id)
        .outerjoin(mentions, mentions.c.source_id == SourceRow.id)
        .where(SourceRow.org == org, SourceRow.created_at < until)
        .order_by(SourceRow.name, SourceRow.id)
    )
    out: list[SourceStatus] = []
    for item in session.execute(stmt):
        row: SourceRow = item[0]
        times = [t for t in (_aware(item[1]), _aware(item[2])) if t is not None]
        out.append(
            SourceStatus(
                name=row.name,
                url=row.url,
                kind=row.kind,
                type=row.type,
                health=row.health,
                checked_at=row.checked_at,
                last_status=row.last_status,
                last_error=row.last_error,
                disabled_reason=row.disabled_reason,
                created_at=row.created_at,
                last_new_at=max(times) if times else None,
                checked_between=_checked_between(row, since, until),
            )
        )
    return out


def monitoring_started(session: Session) -> datetime | None:
    """When monitoring began: the start of the first recorded run (None: never run)."""
    return _aware(session.scalar(select(func.min(CrawlRunRow.started_at))))


def _aware(value: datetime | str | None) -> datetime | None:
    """Aggregates bypass the column type, so SQLite hands back naive UTC (or a string)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def failed_runs(session: Session, since: datetime, until: datetime) -> list[RunRecord]:
    """Runs started in [since, until) that ended with a non-zero status or an error."""
    stmt = (
        select(CrawlRunRow)
        .where(
            CrawlRunRow.started_at >= since,
            CrawlRunRow.started_at < until,
            or_(
                (CrawlRunRow.exit_status.is_not(None)) & (CrawlRunRow.exit_status != 0),
                CrawlRunRow.error != "",
            ),
        )
        .order_by(CrawlRunRow.started_at, CrawlRunRow.id)
    )
    return [
        RunRecord(job=r.job, started_at=r.started_at, exit_status=r.exit_status, error=r.error)
        for r in session.scalars(stmt)
    ]


def rejected_receipts(session: Session, since: datetime, until: datetime) -> list[ReceiptRecord]:
    """Receipts rejected in [since, until) (by their last update, else their arrival)."""
    at = func.coalesce(ReceiptRow.updated_at, ReceiptRow.received_at)
    stmt = (
        select(ReceiptRow)
        .where(ReceiptRow.state == ReceiptState.REJECTED.value, at >= since, at < until)
        .order_by(ReceiptRow.received_at, ReceiptRow.id)
    )
    return [
        ReceiptRecord(
            protocol=r.protocol,
            source=r.source,
            target=r.target,
            reason=r.reason,
            at=r.updated_at or r.received_at,
        )
        for r in session.scalars(stmt)
    ]
