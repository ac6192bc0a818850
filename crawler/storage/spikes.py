"""What spike alerts read and write (#21): find times per query, and each rule's open spike.

The open spike of (org, rule, query) is unique (a partial unique index on ``ended_at IS
NULL``), so two racing senders that both see a spike open it once and alert once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawler.storage.alert_events import alertable
from crawler.storage.models import AlertSpikeRow, DocumentRow, MentionRow
from crawler.storage.upsert import dialect_insert


@dataclass(frozen=True, slots=True)
class FindTime:
    seen_at: datetime
    queries: tuple[str, ...]
    site: str


def find_times(session: Session, org: str, since: datetime, until: datetime) -> list[FindTime]:
    """Alertable finds first seen in [since, until): when, which queries, which site."""
    stmt = (
        select(MentionRow.first_seen_at, MentionRow.queries, DocumentRow.site)
        .join(DocumentRow, DocumentRow.id == MentionRow.document_id)
        .where(
            MentionRow.org == org,
            MentionRow.first_seen_at >= since,
            MentionRow.first_seen_at < until,
            alertable(),
        )
    )
    out: list[FindTime] = []
    for row in session.execute(stmt):
        seen_at: datetime = row[0]
        queries: list[object] = list(row[1] or ())
        out.append(FindTime(seen_at, tuple(str(q) for q in queries), str(row[2])))
    return out


def open_spike(session: Session, org: str, rule: str, query: str) -> int | None:
    stmt = select(AlertSpikeRow.id).where(
        AlertSpikeRow.org == org,
        AlertSpikeRow.rule == rule,
        AlertSpikeRow.query == query,
        AlertSpikeRow.ended_at.is_(None),
    )
    return session.scalar(stmt)


def start_spike(
    session: Session, org: str, rule: str, query: str, now: datetime, count: int, baseline: float
) -> bool:
    """Open a spike; False when one is already open (another sender won the race)."""
    row = {
        "org": org,
        "rule": rule,
        "query": query,
        "started_at": now,
        "ended_at": None,
        "count": count,
        "baseline": baseline,
    }
    table = AlertSpikeRow.__table__
    stmt = (
        dialect_insert(session, table)  # type: ignore[arg-type]
        .values(row)
        .on_conflict_do_nothing(
            index_elements=["org", "rule", "query"], index_where=AlertSpikeRow.ended_at.is_(None)
        )
    )
    result = session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


def end_spike(session: Session, spike_id: int, now: datetime) -> None:
    session.execute(update(AlertSpikeRow).where(AlertSpikeRow.id == spike_id).values(ended_at=now))
