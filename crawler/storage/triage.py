"""Triage of finds (#20): relevant, irrelevant or spam, every change recorded and undoable.

One click is one ``batch`` of ``triage_events`` (the mention, the state before and after, who
and when); undoing a batch puts every mention of it back to its state before, unless someone
changed it since (their change is not silently overwritten). "Spam and block this source"
also puts the find's host on the database blocklist that crawls and the receiver honour.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawler.storage.models import DocumentRow, MentionRow, TriageEventRow
from crawler.storage.receipts import block_source

MAX_BATCH = 500


class Triage(StrEnum):
    RELEVANT = "relevant"
    IRRELEVANT = "irrelevant"
    SPAM = "spam"


#: Triage states the digest and the alerts leave out.
HIDDEN = (Triage.IRRELEVANT.value, Triage.SPAM.value)


@dataclass(frozen=True, slots=True)
class TriageResult:
    batch: str
    changed: int
    blocked: tuple[str, ...] = ()


def _visible(session: Session, ids: Iterable[int], orgs: Sequence[str] | None) -> list[int]:
    wanted = sorted(set(ids))[:MAX_BATCH]
    if not wanted:
        return []
    stmt = select(MentionRow.id).where(MentionRow.id.in_(wanted))
    if orgs is not None:
        stmt = stmt.where(MentionRow.org.in_(list(orgs)))
    return list(session.scalars(stmt))


def set_triage(
    session: Session,
    mention_ids: Iterable[int],
    state: Triage | None,
    user: str,
    now: datetime,
    *,
    orgs: Sequence[str] | None = None,
    block: bool = False,
) -> TriageResult:
    """Set the triage state of the mentions (of ``orgs``, None meaning any) and record it;
    with ``block`` (spam only) also block each find's host."""
    ids = _visible(session, mention_ids, orgs)
    batch = secrets.token_hex(8)
    old = dict(
        session.execute(
            select(MentionRow.id, MentionRow.triage).where(MentionRow.id.in_(ids))
        ).all()
    )
    new = state.value if state else None
    changed = [i for i in ids if old.get(i) != new]
    if changed:
        session.execute(update(MentionRow).where(MentionRow.id.in_(changed)).values(triage=new))
        session.add_all(
            TriageEventRow(
                mention_id=i, batch=batch, user_name=user, old=old.get(i), new=new, at=now
            )
            for i in changed
        )
    blocked: list[str] = []
    if block and state is Triage.SPAM and ids:
        found = session.execute(
            select(MentionRow.org, DocumentRow.url)
            .join(MentionRow, MentionRow.document_id == DocumentRow.id)
            .where(MentionRow.id.in_(ids))
        )
        # Blocked for the finds' organisation only (#16): another one may value the site.
        pairs = {(org, urlsplit(u).hostname or "") for org, u in found}
        for org, host in sorted(p for p in pairs if p[1]):
            reason = f"spam, blocked by {user} in the web app"
            block_source(session, "domain", host, reason, now, org=org)
            if host not in blocked:
                blocked.append(host)
    session.flush()
    return TriageResult(batch, len(changed), tuple(blocked))


def undo_batch(
    session: Session, batch: str, user: str, now: datetime, *, orgs: Sequence[str] | None = None
) -> int:
    """Undo a triage click; returns how many finds went back. A mention changed again since
    keeps its newer state. The undo is itself recorded (a new batch)."""
    events = list(
        session.scalars(
            select(TriageEventRow).where(
                TriageEventRow.batch == batch, TriageEventRow.undone_at.is_(None)
            )
        )
    )
    visible = set(_visible(session, (e.mention_id for e in events), orgs))
    undo = secrets.token_hex(8)
    count = 0
    for event in events:
        if event.mention_id not in visible:
            continue
        current = session.scalar(select(MentionRow.triage).where(MentionRow.id == event.mention_id))
        event.undone_at = now
        if current != event.new:
            continue
        session.execute(
            update(MentionRow).where(MentionRow.id == event.mention_id).values(triage=event.old)
        )
        session.add(
            TriageEventRow(
                mention_id=event.mention_id,
                batch=undo,
                user_name=user,
                old=event.new,
                new=event.old,
                at=now,
            )
        )
        count += 1
    session.flush()
    return count


@dataclass(frozen=True, slots=True)
class TriageEvent:
    mention_id: int
    batch: str
    user: str
    old: str | None
    new: str | None
    at: datetime
    undone_at: datetime | None


def triage_history(session: Session, mention_id: int) -> list[TriageEvent]:
    rows = session.scalars(
        select(TriageEventRow)
        .where(TriageEventRow.mention_id == mention_id)
        .order_by(TriageEventRow.id)
    )
    return [
        TriageEvent(r.mention_id, r.batch, r.user_name, r.old, r.new, r.at, r.undone_at)
        for r in rows
    ]
