"""The write half of the alert outbox (#21), called by ``record_mentions``.

Separate from ``crawler.storage.outbox`` (the senders' half, which reads mentions) so that
the mention write path and the outbox do not import each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import Session

from crawler.domain import MentionStatus
from crawler.storage.models import AlertEventRow, MentionRow
from crawler.storage.triage import HIDDEN
from crawler.storage.upsert import upsert

#: Mention statuses that never alert (and finds an editor triaged irrelevant or spam, #20).
NOT_ALERTED = (MentionStatus.SPAM.value, MentionStatus.DELETED.value)


def alertable() -> ColumnElement[bool]:
    """The condition a mention must meet to be alerted (checked at expansion and at send)."""
    return and_(
        MentionRow.status.not_in(NOT_ALERTED),
        or_(MentionRow.triage.is_(None), MentionRow.triage.not_in(HIDDEN)),
    )


def queue_alert_events(
    session: Session, org: str, mention_ids: Iterable[int], now: datetime, *, backfill: bool
) -> None:
    """Write one outbox event per new mention, in the caller's transaction."""
    rows = [
        {"org": org, "mention_id": m, "created_at": now, "backfill": backfill, "expanded_at": None}
        for m in mention_ids
    ]
    table = AlertEventRow.__table__
    # One statement, compiled once, executed for every row: SQLAlchemy batches the rows into
    # multi-row VALUES itself. (A `.values(rows)` statement was compiled afresh per batch:
    # 10,000 new mentions spent seconds in SQL compilation.)
    upsert(session, table, rows, ["mention_id"])  # type: ignore[arg-type]
