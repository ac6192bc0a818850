"""What the linkback harvester reads and writes besides ``record_mentions``.

Which posts to harvest (with their last harvest time), when a post was harvested, which
linkbacks of a post are already stored and checked, the re-check schedule of a mention
(``checked_at``, ``next_check_at``, ``checks``), relabelling a mention whose kind turned out
stronger (a pingback that is really a reblog), and the mentions due for a re-check. Every
function is one small query; the policy that decides the values lives in
``crawler.harvest.policy``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from crawler.domain import MentionKind, MentionStatus
from crawler.storage.models import DocumentRow, MentionRow, PostRow
from crawler.storage.posts import published_targets

__all__ = [
    "HarvestPost",
    "LinkbackRow",
    "checked_sources",
    "due_rechecks",
    "harvest_posts",
    "linkback_rows",
    "mark_harvested",
    "relabel_mention",
    "set_check_state",
]

BATCH = 500


@dataclass(frozen=True, slots=True)
class HarvestPost:
    """A post with what the harvest schedule needs."""

    id: int
    url: str
    canonical_url: str
    title: str
    published_at: datetime | None
    created_at: datetime
    wp_post_id: int | None
    platform: str
    site_url: str
    comment_feed_url: str
    last_harvested_at: datetime | None


@dataclass(frozen=True, slots=True)
class LinkbackRow:
    """A stored mention of one of our posts, with its re-check state."""

    id: int
    document_url: str  # the document's canonical URL
    url: str
    kind: str
    target: str
    status: str
    checked_at: datetime | None
    next_check_at: datetime | None
    checks: int
    first_seen_at: datetime


def harvest_posts(
    session: Session, org: str, canonical_urls: Sequence[str] | None = None
) -> list[HarvestPost]:
    """The organisation's posts (or those named), newest first."""
    stmt = select(PostRow).where(PostRow.org == org)
    if canonical_urls is not None:
        stmt = stmt.where(PostRow.canonical_url.in_(list(canonical_urls)))
    stmt = stmt.order_by(PostRow.published_at.desc(), PostRow.id.desc())
    return [
        HarvestPost(
            id=row.id,
            url=row.url,
            canonical_url=row.canonical_url,
            title=row.title,
            published_at=row.published_at,
            created_at=row.created_at,
            wp_post_id=row.wp_post_id,
            platform=row.platform,
            site_url=row.site_url,
            comment_feed_url=row.comment_feed_url,
            last_harvested_at=row.last_harvested_at,
        )
        for row in session.scalars(stmt)
    ]


def mark_harvested(session: Session, post_ids: Iterable[int], now: datetime) -> None:
    ids = list(post_ids)
    if ids:
        session.execute(update(PostRow).where(PostRow.id.in_(ids)).values(last_harvested_at=now))


def _rows(session: Session, where: object, limit: int | None = None) -> list[LinkbackRow]:
    stmt = (
        select(MentionRow, DocumentRow.canonical_url, DocumentRow.url)
        .join(DocumentRow, DocumentRow.id == MentionRow.document_id)
        .where(where)  # type: ignore[arg-type]
        .order_by(MentionRow.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        LinkbackRow(
            id=m.id,
            document_url=canonical,
            url=url,
            kind=m.kind,
            target=m.target,
            status=m.status,
            checked_at=m.checked_at,
            next_check_at=m.next_check_at,
            checks=m.checks,
            first_seen_at=m.first_seen_at,
        )
        for m, canonical, url in session.execute(stmt)
    ]


def linkback_rows(
    session: Session, org: str, target: str, document_urls: Sequence[str] | None = None
) -> list[LinkbackRow]:
    """Stored mentions targeting one post (of the given documents only, if given)."""
    if document_urls is not None and not document_urls:
        return []
    out: list[LinkbackRow] = []
    chunks: list[list[str] | None] = (
        [list(document_urls[i : i + BATCH]) for i in range(0, len(document_urls), BATCH)]
        if document_urls is not None
        else [None]
    )
    published = published_targets(session, org, [target]).get(target)
    target = published[1] if published is not None else target
    for chunk in chunks:
        where = and_(MentionRow.org == org, MentionRow.target == target)
        if chunk is not None:
            where = and_(where, DocumentRow.canonical_url.in_(chunk))
        out += _rows(session, where)
    return out


def checked_sources(session: Session, org: str, targets: Sequence[str]) -> dict[str, set[str]]:
    """Per target (any spelling), the documents of linkbacks whose source was already
    fetched."""
    out: dict[str, set[str]] = {t: set() for t in targets}
    published = published_targets(session, org, targets)
    asked: dict[str, list[str]] = {}
    for t in targets:
        asked.setdefault(published[t][1] if t in published else t, []).append(t)
    stored = sorted(asked)
    for i in range(0, len(stored), BATCH):
        chunk = stored[i : i + BATCH]
        stmt = (
            select(MentionRow.target, DocumentRow.canonical_url)
            .join(DocumentRow, DocumentRow.id == MentionRow.document_id)
            .where(
                MentionRow.org == org,
                MentionRow.target.in_(chunk),
                MentionRow.kind != MentionKind.COMMENT.value,
                MentionRow.checked_at.is_not(None),
            )
        )
        for target, canonical in session.execute(stmt):
            for spelling in asked.get(target, [target]):
                out.setdefault(spelling, set()).add(canonical)
    return out


def relabel_mention(session: Session, mention_id: int, kind: MentionKind) -> None:
    """Give a stored mention a stronger kind (its natural key must stay free: check first)."""
    session.execute(update(MentionRow).where(MentionRow.id == mention_id).values(kind=kind.value))


def set_check_state(
    session: Session,
    mention_id: int,
    *,
    checked_at: datetime | None,
    next_check_at: datetime | None,
    checks: int,
    status: MentionStatus | None = None,
) -> None:
    """Record a source check: when (None keeps the last), the next one, the count, and
    optionally a new status."""
    values: dict[str, object] = {"next_check_at": next_check_at, "checks": checks}
    if checked_at is not None:
        values["checked_at"] = checked_at
    if status is not None:
        values["status"] = status.value
    session.execute(update(MentionRow).where(MentionRow.id == mention_id).values(**values))


def due_rechecks(
    session: Session,
    org: str,
    now: datetime,
    *,
    kinds: Iterable[MentionKind],
    unscheduled_before: datetime | None,
    limit: int = 500,
) -> list[LinkbackRow]:
    """Live mentions whose re-check is due, oldest first.

    Mentions stored by other routes that never got a schedule (a link the crawler found)
    count as due once first seen before ``unscheduled_before`` (None: never).
    """
    due = and_(MentionRow.next_check_at.is_not(None), MentionRow.next_check_at <= now)
    if unscheduled_before is not None:
        never = and_(
            MentionRow.next_check_at.is_(None),
            MentionRow.checked_at.is_(None),
            MentionRow.checks == 0,
            MentionRow.first_seen_at <= unscheduled_before,
        )
        due = or_(due, never)
    where = and_(
        MentionRow.org == org,
        MentionRow.status == MentionStatus.LIVE.value,
        MentionRow.kind.in_([k.value for k in kinds]),
        MentionRow.target != "",
        due,
    )
    return _rows(session, where, limit)
