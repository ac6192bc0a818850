"""Reads for the newsroom's pages behind the inbox (#20): posts with their linkback counts, one
post's linkbacks, the digest archive, the per-host politeness scorecard.

Every read is limited to the organisations the reader may see (``orgs``; None for all).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.storage.digests import DigestRecord, _record
from crawler.storage.models import CrawlRunRow, DigestRow, DocumentRow, HostRow, MentionRow, PostRow
from crawler.storage.stories import StoryView, list_stories

MAX_ROWS = 200


@dataclass(frozen=True, slots=True)
class PostSummary:
    id: int
    org: str
    url: str
    title: str
    published_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Linkback:
    id: int
    kind: str
    url: str
    title: str
    site: str
    author: str
    status: str
    triage: str | None
    first_seen_at: datetime
    checked_at: datetime | None
    next_check_at: datetime | None
    checks: int


def _org_filter(column: object, orgs: Sequence[str] | None) -> list[object]:
    return [] if orgs is None else [column.in_(list(orgs))]  # type: ignore[attr-defined]


def post_summaries(
    session: Session,
    orgs: Sequence[str] | None,
    *,
    search: str = "",
    after_id: int | None = None,
    limit: int = 50,
) -> list[PostSummary]:
    """Our posts, newest first (by id within equal dates), with linkback counts by kind;
    ``search`` matches title or URL, case-insensitively."""
    stmt = select(PostRow).where(*_org_filter(PostRow.org, orgs))  # type: ignore[arg-type]
    if search:
        pattern = search.lower()[:200]
        stmt = stmt.where(
            func.lower(PostRow.title).contains(pattern, autoescape=True)
            | func.lower(PostRow.url).contains(pattern, autoescape=True)
        )
    if after_id is not None:
        stmt = stmt.where(PostRow.id < after_id)
    stmt = stmt.order_by(PostRow.id.desc()).limit(max(1, min(limit, MAX_ROWS)))
    posts = list(session.scalars(stmt))
    counts: dict[int, dict[str, int]] = {p.id: {} for p in posts}
    if posts:
        grouped = (
            select(MentionRow.post_id, MentionRow.kind, func.count())
            .where(MentionRow.post_id.in_(list(counts)))
            .group_by(MentionRow.post_id, MentionRow.kind)
        )
        for post_id, kind, n in session.execute(grouped):
            if post_id is not None:
                counts[post_id][kind] = int(n)
    return [PostSummary(p.id, p.org, p.url, p.title, p.published_at, counts[p.id]) for p in posts]


def post_linkbacks(
    session: Session, post_id: int, orgs: Sequence[str] | None
) -> tuple[PostSummary, list[Linkback]] | None:
    """One post and its linkbacks and comments (None when unknown or not visible)."""
    post = session.get(PostRow, post_id)
    if post is None or (orgs is not None and post.org not in orgs):
        return None
    stmt = (
        select(
            MentionRow.id,
            MentionRow.kind,
            DocumentRow.url,
            func.substr(DocumentRow.title, 1, 500),
            DocumentRow.site,
            MentionRow.author,
            MentionRow.status,
            MentionRow.triage,
            MentionRow.first_seen_at,
            MentionRow.checked_at,
            MentionRow.next_check_at,
            MentionRow.checks,
        )
        .join(DocumentRow, DocumentRow.id == MentionRow.document_id)
        .where(MentionRow.post_id == post_id)
        .order_by(MentionRow.kind, MentionRow.first_seen_at.desc(), MentionRow.id.desc())
        .limit(2000)
    )
    rows = [Linkback(*tuple(r)) for r in session.execute(stmt)]  # type: ignore[arg-type]
    counts = Counter(r.kind for r in rows)
    summary = PostSummary(post.id, post.org, post.url, post.title, post.published_at, counts)
    return summary, rows


def digest_archive(session: Session, orgs: Sequence[str] | None) -> list[DigestRecord]:
    """Every digest, newest day first."""
    stmt = (
        select(DigestRow)
        .where(*_org_filter(DigestRow.org, orgs))  # type: ignore[arg-type]
        .order_by(DigestRow.day.desc(), DigestRow.id.desc())
        .limit(1000)
    )
    return [_record(r) for r in session.scalars(stmt)]


def digest_by_id(
    session: Session, digest_id: int, orgs: Sequence[str] | None
) -> DigestRecord | None:
    row = session.get(DigestRow, digest_id)
    if row is None or (orgs is not None and row.org not in orgs):
        return None
    return _record(row)


@dataclass(frozen=True, slots=True)
class HostScore:
    """What the crawls asked of one host in the recent runs, and whether it pushed back."""

    host: str
    counts: dict[str, int]
    blocked_until: datetime | None
    reason: str

    @property
    def not_modified_share(self) -> float:
        requests = self.counts.get("requests", 0)
        return self.counts.get("304", 0) / requests if requests else 0.0

    @property
    def errors(self) -> int:
        return sum(v for k, v in self.counts.items() if k in ("4xx", "5xx", "429"))


def host_scorecard(session: Session, runs: int = 50) -> list[HostScore]:
    """Per-host counts summed over the last ``runs`` runs' stats (``hosts``), with the hosts
    a Retry-After or a failure put on hold."""
    totals: dict[str, Counter[str]] = {}
    stmt = select(CrawlRunRow.stats).order_by(CrawlRunRow.id.desc()).limit(runs)
    for row in session.execute(stmt):
        stats: dict[str, object] = row[0] or {}
        hosts = stats.get("hosts") or {}
        if not isinstance(hosts, dict):
            continue
        for host, counts in hosts.items():
            if isinstance(counts, dict):
                bucket = totals.setdefault(str(host), Counter())
                bucket.update({str(k): int(v) for k, v in counts.items() if isinstance(v, int)})
    holds = {r.host: r for r in session.scalars(select(HostRow))}
    names = sorted(set(totals) | set(holds))
    return [
        HostScore(
            h,
            dict(totals.get(h, {})),
            holds[h].blocked_until if h in holds else None,
            holds[h].reason if h in holds else "",
        )
        for h in names
    ]


def visible_stories(session: Session, orgs: Sequence[str] | None) -> list[StoryView]:
    """Syndicated stories (newest first) as far as they are finds of ``orgs``: a story's
    documents are shown only when they are a find of a visible organisation, so one
    organisation's coverage never shows on another's page."""
    stories = list_stories(session)[::-1][:MAX_ROWS]
    if orgs is None:
        return stories
    urls = sorted({u for story in stories for u in story.documents})
    seen: set[str] = set()
    for i in range(0, len(urls), 500):
        stmt = (
            select(DocumentRow.canonical_url)
            .join(MentionRow, MentionRow.document_id == DocumentRow.id)
            .where(DocumentRow.canonical_url.in_(urls[i : i + 500]), MentionRow.org.in_(orgs))
        )
        seen.update(session.scalars(stmt))
    out = []
    for story in stories:
        documents = tuple(u for u in story.documents if u in seen)
        if len(documents) >= 2:
            original = story.original if story.original in seen else ""
            out.append(replace(story, original=original, documents=documents))
    return out
