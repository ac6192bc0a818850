"""The stored comments of one post, for the harvest's comment re-check (#16)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawler.domain import MentionKind, MentionStatus
from crawler.storage.models import DocumentRow, MentionRow
from crawler.storage.posts import published_targets

__all__ = ["apply_comment_changes", "stored_comments"]


def stored_comments(session: Session, org: str, target: str) -> list[tuple[int, str, str, str]]:
    """The comment mentions of the post ``target`` (any spelling): (mention id, document
    key, status, context)."""
    published = published_targets(session, org, [target]).get(target)
    target = published[1] if published is not None else target
    stmt = (
        select(MentionRow.id, DocumentRow.canonical_url, MentionRow.status, MentionRow.context)
        .join(DocumentRow, DocumentRow.id == MentionRow.document_id)
        .where(
            MentionRow.org == org,
            MentionRow.target == target,
            MentionRow.kind == MentionKind.COMMENT.value,
        )
        .order_by(MentionRow.id)
    )
    return [(i, key, status, context or "") for i, key, status, context in session.execute(stmt)]


def apply_comment_changes(
    session: Session,
    deleted: Sequence[int],
    revived: Sequence[int],
    edited: Mapping[int, str],
    now: datetime,
) -> None:
    """Mark deleted, bring back, and update edited texts."""
    if deleted:
        session.execute(
            update(MentionRow)
            .where(MentionRow.id.in_(deleted))
            .values(status=MentionStatus.DELETED.value, checked_at=now)
        )
    if revived:
        session.execute(
            update(MentionRow)
            .where(MentionRow.id.in_(revived))
            .values(status=MentionStatus.LIVE.value, checked_at=now)
        )
    for mention_id, text in edited.items():
        session.execute(
            update(MentionRow)
            .where(MentionRow.id == mention_id)
            .values(context=text, checked_at=now)
        )
