"""The alert outbox (#21): events written with new mentions, deliveries claimed by senders.

``queue_alert_events`` runs inside ``record_mentions``' transaction, so a new find and its
alert event commit or roll back together (a transactional outbox). Senders expand events into
``alert_deliveries`` rows, unique on (rule, mention): an insert that loses a race is ignored.
A sender owns a delivery only after a conditional UPDATE moved it from ``pending`` (or an
expired ``sending`` claim) to ``sending`` under its token; on SQLite the write lock
serialises those updates, on PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED``
and the update re-checks the state, so two racing senders never both own a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from crawler.storage.alert_events import alertable
from crawler.storage.mentions import MentionView, _view, _view_query
from crawler.storage.models import AlertDeliveryRow, AlertEventRow, DocumentRow, MentionRow
from crawler.storage.upsert import upsert

BATCH = 500

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SUMMARISED = "summarised"
SKIPPED = "skipped"
"""The find was marked spam or deleted after it was queued: not alerted, not an error."""


@dataclass(frozen=True, slots=True)
class PendingEvent:
    id: int
    backfill: bool
    mention: MentionView | None
    """None when the mention is no longer alertable (spam, deleted)."""


def pending_events(session: Session, org: str, limit: int = 5000) -> list[PendingEvent]:
    """Events not yet expanded into deliveries, oldest first."""
    events = session.execute(
        select(AlertEventRow.id, AlertEventRow.backfill, AlertEventRow.mention_id)
        .where(AlertEventRow.org == org, AlertEventRow.expanded_at.is_(None))
        .order_by(AlertEventRow.id)
        .limit(limit)
    ).all()
    ids = [m for _, _, m in events]
    views: dict[int, MentionView] = {}
    for i in range(0, len(ids), BATCH):
        stmt = _view_query(org).where(MentionRow.id.in_(ids[i : i + BATCH]), alertable())
        for row in session.execute(stmt):
            view = _mention_view(tuple(row))
            views[view.id] = view
    return [PendingEvent(e, bool(b), views.get(m)) for e, b, m in events]


def _mention_view(row: tuple[Any, ...]) -> MentionView:
    m, d, t, n, w = row
    return _view(m, d, t, n, w)


def add_deliveries(
    session: Session, org: str, pairs: Sequence[tuple[str, int]], now: datetime
) -> None:
    """Queue one delivery per (rule, mention); pairs already queued are left alone."""
    rows = [
        {
            "org": org,
            "rule": rule,
            "mention_id": mention_id,
            "state": PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
            "claimed_by": "",
            "last_error": "",
            "channels_done": [],
            "summary_count": 0,
            "title": "",
            "body": "",
        }
        for rule, mention_id in pairs
    ]
    table = AlertDeliveryRow.__table__
    # One statement, compiled once, executed for every row: SQLAlchemy batches the rows into
    # multi-row VALUES itself. (A `.values(rows)` statement was compiled afresh per batch:
    # 10,000 new mentions spent seconds in SQL compilation.)
    upsert(session, table, rows, ["rule", "mention_id"])  # type: ignore[arg-type]


def mark_expanded(session: Session, event_ids: Sequence[int], now: datetime) -> None:
    for i in range(0, len(event_ids), BATCH):
        session.execute(
            update(AlertEventRow)
            .where(AlertEventRow.id.in_(event_ids[i : i + BATCH]))
            .values(expanded_at=now)
        )


def _due(org: str, rule: str, now: datetime) -> ColumnElement[bool]:
    return and_(
        AlertDeliveryRow.org == org,
        AlertDeliveryRow.rule == rule,
        or_(
            and_(
                AlertDeliveryRow.state == PENDING,
                or_(
                    AlertDeliveryRow.next_attempt_at.is_(None),
                    AlertDeliveryRow.next_attempt_at <= now,
                ),
            ),
            and_(AlertDeliveryRow.state == SENDING, AlertDeliveryRow.claimed_until < now),
        ),
    )


def claim_due(
    session: Session, org: str, rule: str, now: datetime, until: datetime, token: str
) -> list[int]:
    """Claim every due delivery of a rule for this sender; returns the ids it now owns.

    A claim whose sender died (``claimed_until`` passed) is claimable again: a crash between
    the channel's answer and the commit can resend once, which the idempotency key covers.
    """
    candidates = select(AlertDeliveryRow.id).where(_due(org, rule, now))
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.scalars(candidates.order_by(AlertDeliveryRow.id)))
    for i in range(0, len(ids), BATCH):
        session.execute(
            update(AlertDeliveryRow)
            .where(AlertDeliveryRow.id.in_(ids[i : i + BATCH]), _due(org, rule, now))
            .values(state=SENDING, claimed_by=token, claimed_until=until)
        )
    owned = select(AlertDeliveryRow.id).where(
        AlertDeliveryRow.org == org,
        AlertDeliveryRow.rule == rule,
        AlertDeliveryRow.state == SENDING,
        AlertDeliveryRow.claimed_by == token,
    )
    return list(session.scalars(owned.order_by(AlertDeliveryRow.id)))


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed delivery: what the sender needs to build and send its message."""

    id: int
    rule: str
    mention: MentionView | None
    """None for a summary or batch message, or a find no longer alertable."""
    attempts: int
    created_at: datetime
    channels_done: tuple[int, ...]
    summary_count: int
    title: str
    body: str


def load_deliveries(session: Session, org: str, ids: Sequence[int]) -> list[Delivery]:
    rows: list[AlertDeliveryRow] = []
    for i in range(0, len(ids), BATCH):
        stmt = select(AlertDeliveryRow).where(AlertDeliveryRow.id.in_(ids[i : i + BATCH]))
        rows += list(session.scalars(stmt))
    mention_ids = [r.mention_id for r in rows if r.mention_id is not None]
    views: dict[int, MentionView] = {}
    for i in range(0, len(mention_ids), BATCH):
        view_stmt = _view_query(org).where(
            MentionRow.id.in_(mention_ids[i : i + BATCH]), alertable()
        )
        for row in session.execute(view_stmt):
            view = _mention_view(tuple(row))
            views[view.id] = view
    rows.sort(key=lambda r: r.id)
    return [
        Delivery(
            id=r.id,
            rule=r.rule,
            mention=views.get(r.mention_id) if r.mention_id is not None else None,
            attempts=r.attempts,
            created_at=r.created_at,
            channels_done=tuple(int(x) for x in r.channels_done or ()),
            summary_count=r.summary_count,
            title=r.title,
            body=r.body,
        )
        for r in rows
    ]


def add_message(
    session: Session,
    org: str,
    rule: str,
    *,
    title: str,
    body: str,
    count: int,
    now: datetime,
    until: datetime | None = None,
    token: str = "",
) -> int:
    """A summary, batch or spike message row; claimed by this sender when ``token`` is given,
    else pending for the next claim. Returns its id."""
    row = AlertDeliveryRow(
        org=org,
        rule=rule,
        mention_id=None,
        state=SENDING if token else PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        claimed_until=until if token else None,
        claimed_by=token,
        last_error="",
        channels_done=[],
        summary_count=count,
        title=title,
        body=body,
    )
    session.add(row)
    session.flush()
    return row.id


def set_state(
    session: Session,
    ids: Sequence[int],
    state: str,
    token: str,
    *,
    now: datetime | None = None,
    error: str = "",
) -> None:
    """Move deliveries this sender owns to ``state`` (summarised, skipped, pending)."""
    values: dict[str, Any] = {"state": state, "claimed_until": None}
    if state in (SENT, SUMMARISED, SKIPPED):
        values["sent_at"] = now
    if error:
        values["last_error"] = error
    if state == PENDING and now is not None:
        values["next_attempt_at"] = now
    for i in range(0, len(ids), BATCH):
        session.execute(
            update(AlertDeliveryRow)
            .where(AlertDeliveryRow.id.in_(ids[i : i + BATCH]))
            .where(AlertDeliveryRow.claimed_by == token)
            .values(**values)
        )


def record_attempt(
    session: Session,
    delivery_id: int,
    token: str,
    *,
    state: str,
    now: datetime,
    next_attempt_at: datetime | None,
    channels_done: Sequence[int],
    error: str,
) -> None:
    """The outcome of one send attempt: sent, or pending again after backoff, or failed."""
    session.execute(
        update(AlertDeliveryRow)
        .where(AlertDeliveryRow.id == delivery_id, AlertDeliveryRow.claimed_by == token)
        .values(
            state=state,
            attempts=AlertDeliveryRow.attempts + 1,
            claimed_until=None,
            next_attempt_at=next_attempt_at,
            channels_done=list(channels_done),
            last_error=error,
            sent_at=now if state == SENT else None,
        )
    )


def sent_since(session: Session, org: str, rule: str, since: datetime) -> int:
    """Messages (finds, summaries, batches) this rule sent since ``since``."""
    stmt = select(func.count(AlertDeliveryRow.id)).where(
        AlertDeliveryRow.org == org,
        AlertDeliveryRow.rule == rule,
        AlertDeliveryRow.state == SENT,
        AlertDeliveryRow.sent_at >= since,
    )
    return int(session.scalar(stmt) or 0)


def last_message_at(session: Session, org: str, rule: str, *, summaries: bool) -> datetime | None:
    """When this rule last sent a summary/batch message (or any message)."""
    stmt = select(func.max(AlertDeliveryRow.created_at)).where(
        AlertDeliveryRow.org == org,
        AlertDeliveryRow.rule == rule,
        AlertDeliveryRow.state.in_([SENT, SENDING, PENDING] if summaries else [SENT]),
    )
    if summaries:
        stmt = stmt.where(AlertDeliveryRow.mention_id.is_(None))
    value: datetime | None = session.scalar(stmt)
    return value


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One outbox row as ``mediamon alerts outbox`` and ``status`` show it."""

    id: int
    rule: str
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str
    subject: str
    """The find's URL, or the summary / batch message's title."""


def list_deliveries(
    session: Session, org: str, *, failed_only: bool = False, limit: int = 100
) -> list[DeliveryRecord]:
    """The newest deliveries first (only failed ones with ``failed_only``)."""
    stmt = (
        select(AlertDeliveryRow, DocumentRow.url)
        .outerjoin(MentionRow, MentionRow.id == AlertDeliveryRow.mention_id)
        .outerjoin(DocumentRow, DocumentRow.id == MentionRow.document_id)
        .where(AlertDeliveryRow.org == org)
    )
    if failed_only:
        stmt = stmt.where(AlertDeliveryRow.state == FAILED)
    stmt = stmt.order_by(AlertDeliveryRow.id.desc()).limit(limit)
    return [
        DeliveryRecord(
            id=row.id,
            rule=row.rule,
            state=row.state,
            attempts=row.attempts,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            last_error=row.last_error,
            subject=url or row.title,
        )
        for row, url in session.execute(stmt)
    ]


def retry_failed(session: Session, org: str, now: datetime) -> int:
    """Put failed deliveries back in the queue with fresh attempts; returns how many."""
    result = session.execute(
        update(AlertDeliveryRow)
        .where(AlertDeliveryRow.org == org, AlertDeliveryRow.state == FAILED)
        .values(state=PENDING, attempts=0, next_attempt_at=now, claimed_by="")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def failed_count(session: Session, org: str) -> int:
    """Deliveries given up on: shown in `status` and the digest's health footer."""
    stmt = select(func.count(AlertDeliveryRow.id)).where(
        AlertDeliveryRow.org == org, AlertDeliveryRow.state == FAILED
    )
    return int(session.scalar(stmt) or 0)


def prune_outbox(session: Session, now: datetime, *, keep_days: int) -> dict[str, int]:
    """Forget expanded events and settled deliveries older than ``keep_days`` (failed ones
    stay until requeued: they are a problem someone must see)."""
    cutoff = now - timedelta(days=keep_days)
    events = session.execute(
        delete(AlertEventRow).where(
            AlertEventRow.expanded_at.is_not(None), AlertEventRow.created_at < cutoff
        )
    )
    settled = session.execute(
        delete(AlertDeliveryRow).where(
            AlertDeliveryRow.state.in_([SENT, SUMMARISED, SKIPPED]),
            AlertDeliveryRow.created_at < cutoff,
        )
    )
    return {
        "alert_events_deleted": int(getattr(events, "rowcount", 0) or 0),
        "alert_deliveries_deleted": int(getattr(settled, "rowcount", 0) or 0),
    }
