"""Receipts: incoming pingbacks, webmentions and trackbacks, queued until verified.

The receiver only queues (fast, no outbound fetch in the request path); a verify run later
fetches each source through the same code as harvesting. A repeated request for the same
(protocol, source, target) re-queues the one row, which is how Webmention updates and
deletes arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
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
) -> Queued:
    """Queue (or re-queue) a receipt for verification."""
    existing = find_receipt(session, protocol, source, target)
    previous = ReceiptState(existing.state) if existing else None
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
        ],
    )
    row = find_receipt(session, protocol, source, target)
    assert row is not None
    return Queued(row.id, previous)


def due_receipts(session: Session, now: datetime, limit: int = 200) -> Sequence[ReceiptRow]:
    return session.scalars(
        select(ReceiptRow)
        .where(
            ReceiptRow.state == ReceiptState.QUEUED.value,
            or_(ReceiptRow.next_attempt_at.is_(None), ReceiptRow.next_attempt_at <= now),
        )
        .order_by(ReceiptRow.received_at)
        .limit(limit)
    ).all()


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


def block_source(session: Session, kind: str, value: str, reason: str, now: datetime) -> None:
    """Block a domain or URL (for example when a mention is deleted as spam)."""
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
            }
        ],
        key=["kind", "value"],
    )


def blocked(session: Session) -> tuple[set[str], set[str]]:
    """(blocked domains, blocked URLs) stored in the database."""
    domains: set[str] = set()
    urls: set[str] = set()
    for kind, value in session.execute(select(BlockRow.kind, BlockRow.value)):
        (domains if kind == "domain" else urls).add(value)
    return domains, urls
