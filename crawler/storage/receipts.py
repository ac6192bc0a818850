"""Receipts: incoming pingbacks, webmentions and trackbacks, queued until verified.

The receiver only queues (fast, no outbound fetch in the request path); a verify run later
fetches each source through the same code as harvesting. A repeated request for the same
(protocol, source, target) touches the one row:

* still queued (and not expired): the request is noted (payload, address), but its attempts,
  backoff and place in the queue are kept, so re-sending cannot reset the retry budget;
* verified, or rejected after a check of its content: queued again with a fresh budget (that
  is how Webmention updates and deletes arrive);
* rejected for a final reason: the receiver answers from the row and does not call this.

The queue is bounded and fair: ``queued_counts`` feeds the receiver's caps, ``due_receipts``
drains round-robin by ``sender`` (the source's site), and a receipt still queued at its
``expires_at`` is never fetched and is rejected by ``expire_receipts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from crawler.domain import Protocol, ReceiptState
from crawler.storage.models import BlockRow, ReceiptRow
from crawler.storage.upsert import upsert

MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Queued:
    id: int
    previous_state: ReceiptState | None
    """None when the receipt is new; otherwise the state it had before this request."""


def find_receipt(
    session: Session, protocol: Protocol, source: str, target: str
) -> ReceiptRow | None:
    return session.scalars(
        select(ReceiptRow).where(
            ReceiptRow.protocol == protocol.value,
            ReceiptRow.source == source,
            ReceiptRow.target == target,
        )
    ).first()


def queue_receipt(
    session: Session,
    protocol: Protocol,
    source: str,
    target: str,
    *,
    now: datetime,
    remote_addr: str = "",
    payload: dict[str, Any] | None = None,
    sender: str = "",
    expires_at: datetime | None = None,
    org: str = "",
) -> Queued:
    """Queue (or re-queue) a receipt for verification (see the module docstring)."""
    existing = find_receipt(session, protocol, source, target)
    previous = ReceiptState(existing.state) if existing else None
    waiting = existing is not None and (existing.expires_at is None or existing.expires_at > now)
    if existing is not None and previous is ReceiptState.QUEUED and waiting:
        session.execute(
            update(ReceiptRow)
            .where(ReceiptRow.id == existing.id)
            .values(remote_addr=remote_addr, payload=payload or {}, updated_at=now)
        )
        return Queued(existing.id, previous)
    upsert(
        session,
        ReceiptRow.__table__,  # type: ignore[arg-type]
        [
            {
                "protocol": protocol.value,
                "source": source,
                "target": target,
                "received_at": now,
                "remote_addr": remote_addr,
                "state": ReceiptState.QUEUED.value,
                "reason": "",
                "attempts": 0,
                "payload": payload or {},
                "next_attempt_at": now,
                "updated_at": now,
                "sender": sender[:255],
                "expires_at": expires_at,
                "org": org,
            }
        ],
        key=["protocol", "source", "target"],
        update=[
            "received_at",
            "remote_addr",
            "state",
            "reason",
            "attempts",
            "payload",
            "next_attempt_at",
            "updated_at",
            "sender",
            "expires_at",
            "org",
        ],
    )
    row = find_receipt(session, protocol, source, target)
    assert row is not None
    return Queued(row.id, previous)


def _live(now: datetime) -> Any:
    """Queued and not expired."""
    return and_(
        ReceiptRow.state == ReceiptState.QUEUED.value,
        or_(ReceiptRow.expires_at.is_(None), ReceiptRow.expires_at > now),
    )


def due_receipts(
    session: Session, now: datetime, limit: int = 200, org: str | None = None
) -> Sequence[ReceiptRow]:
    """The next ``limit`` receipts to verify (of ``org``, when given), round-robin by sender.

    Each sender's due receipts are ranked oldest first, and the batch takes every sender's
    first, then every sender's second, and so on: 10,000 receipts from one sender and one
    from another make a batch that holds the other one, so a flood delays only its sender.
    """
    rank = (
        func.row_number()
        .over(partition_by=ReceiptRow.sender, order_by=(ReceiptRow.received_at, ReceiptRow.id))
        .label("rank")
    )
    ranked = (
        select(ReceiptRow.id, ReceiptRow.received_at, rank)
        .where(
            _live(now),
            or_(ReceiptRow.next_attempt_at.is_(None), ReceiptRow.next_attempt_at <= now),
            # ``''``: a receipt queued before #16 whose organisation the migration could not
            # tell, or by code that names none; any organisation's run may verify it.
            *([ReceiptRow.org.in_((org, ""))] if org is not None else []),
        )
        .subquery()
    )
    ids = select(ranked.c.id).order_by(ranked.c.rank, ranked.c.received_at, ranked.c.id)
    chosen: list[int] = list(session.scalars(ids.limit(limit)))
    if not chosen:
        return []
    rows = {r.id: r for r in session.scalars(select(ReceiptRow).where(ReceiptRow.id.in_(chosen)))}
    return [rows[i] for i in chosen if i in rows]


@dataclass(frozen=True, slots=True)
class QueueCounts:
    total: int
    for_target: int
    for_sender: int = 0


def queued_counts(
    session: Session, target: str, now: datetime, sender: str | None = None
) -> QueueCounts:
    """How many receipts wait in the queue: in all, for ``target`` and from ``sender`` (the
    receiver's caps)."""

    def count(*where: Any) -> int:
        query = select(func.count()).select_from(ReceiptRow).where(_live(now), *where)
        return int(session.scalar(query) or 0)

    return QueueCounts(
        count(),
        count(ReceiptRow.target == target),
        count(ReceiptRow.sender == sender) if sender is not None else 0,
    )


def expire_receipts(session: Session, now: datetime) -> int:
    """Reject the receipts still queued at their ``expires_at``; how many there were."""
    result = session.execute(
        update(ReceiptRow)
        .where(
            ReceiptRow.state == ReceiptState.QUEUED.value,
            ReceiptRow.expires_at.is_not(None),
            ReceiptRow.expires_at <= now,
        )
        .values(
            state=ReceiptState.REJECTED.value,
            reason="expired: not verified in time (queue too long)",
            updated_at=now,
            next_attempt_at=None,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def settle_receipt(
    session: Session, receipt_id: int, state: ReceiptState, reason: str, now: datetime
) -> None:
    session.execute(
        update(ReceiptRow)
        .where(ReceiptRow.id == receipt_id)
        .values(state=state.value, reason=reason[:2000], updated_at=now, next_attempt_at=None)
    )


def retry_receipt_later(session: Session, receipt_id: int, reason: str, now: datetime) -> bool:
    """A transient failure: try again with backoff, or reject after MAX_ATTEMPTS.
    Returns True when it will be retried."""
    row = session.get(ReceiptRow, receipt_id)
    if row is None:
        return False
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        settle_receipt(session, receipt_id, ReceiptState.REJECTED, f"gave up: {reason}", now)
        return False
    session.execute(
        update(ReceiptRow)
        .where(ReceiptRow.id == receipt_id)
        .values(
            attempts=attempts,
            reason=reason[:2000],
            updated_at=now,
            next_attempt_at=now + timedelta(minutes=5 * 3 ** (attempts - 1)),
        )
    )
    return True


def count_receipts(session: Session, state: ReceiptState, since: datetime, until: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(ReceiptRow)
            .where(
                ReceiptRow.state == state.value,
                ReceiptRow.updated_at >= since,
                ReceiptRow.updated_at < until,
            )
        )
        or 0
    )


def block_source(
    session: Session, kind: str, value: str, reason: str, now: datetime, org: str = ""
) -> None:
    """Block a domain or URL (for example when a mention is deleted as spam) for ``org``
    (``''``: for every organisation)."""
    if kind not in ("domain", "url"):
        raise ValueError(f"block kind must be 'domain' or 'url', not {kind!r}")
    upsert(
        session,
        BlockRow.__table__,  # type: ignore[arg-type]
        [
            {
                "kind": kind,
                "value": value.lower() if kind == "domain" else value,
                "reason": reason,
                "created_at": now,
                "org": org,
            }
        ],
        key=["org", "kind", "value"],
    )


def blocked(session: Session, org: str | None = None) -> tuple[set[str], set[str]]:
    """(blocked domains, blocked URLs) stored in the database: with ``org``, its own blocks
    and those for every organisation (``''``); without, all of them."""
    domains: set[str] = set()
    urls: set[str] = set()
    stmt = select(BlockRow.kind, BlockRow.value)
    if org is not None:
        stmt = stmt.where(BlockRow.org.in_((org, "")))
    for kind, value in session.execute(stmt):
        (domains if kind == "domain" else urls).add(value)
    return domains, urls
