"""The digests table: the state machine that makes a digest go out at most once.

A digest for (org, day) moves ``rendered -> sending -> sent``; a failed attempt goes to
``failed`` with a reason and a ``next_attempt_at`` (exponential backoff), and comes back through
``claim_for_sending`` when it is due. The claim is one conditional UPDATE, so whichever process
(a second ``mediamon digest --send``, the scheduler, a retry) gets ``rowcount == 1`` is the only
one that talks to the SMTP server; everyone else sees "already sending / sent" and does nothing.
This works the same on SQLite (writes are serialised) and PostgreSQL (the second UPDATE waits for
the first to commit, then re-checks its WHERE clause against the new row and matches nothing).

A digest left in ``sending`` for long (the sender crashed, or the connection broke after the
message body was handed over) is *reported*, never resent automatically: the SMTP server may
already have accepted it, and the design promises at most once. A person can release it with
``release_stuck`` (``mediamon digest --send --resend-stuck``) after checking the mail logs.

``recipients`` holds the addresses that have accepted the message so far, so a retry after a
partial refusal only goes to the ones that have not received it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import CursorResult, case, select, true, update
from sqlalchemy.orm import Session

from crawler.domain import DigestState
from crawler.storage.models import DigestRow
from crawler.storage.upsert import upsert

BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_FACTOR = 3
BACKOFF_CAP = timedelta(hours=6)
MAX_AUTOMATIC_ATTEMPTS = 10
"""After this many attempts the scheduler stops retrying (``due_retries``); a person can still
send by hand. With the backoff above that is about two days of trying."""
STUCK_AFTER = timedelta(minutes=30)
"""A digest in ``sending`` for longer than this has lost its sender (SMTP timeouts are far
shorter), so it is reported."""
CLAIMABLE = (DigestState.RENDERED.value, DigestState.FAILED.value)


@dataclass(frozen=True, slots=True)
class DigestRecord:
    """One row of ``digests`` as plain data (``claimed_at`` is stored in ``rendered_at``: the
    content that goes out is rendered at the moment it is claimed)."""

    id: int
    org: str
    day: date
    state: DigestState
    rendered_at: datetime | None
    path: str
    message_id: str
    recipients: tuple[str, ...]
    attempts: int
    last_error: str
    sent_at: datetime | None
    next_attempt_at: datetime | None


def _record(row: DigestRow) -> DigestRecord:
    return DigestRecord(
        id=row.id,
        org=row.org,
        day=row.day,
        state=DigestState(row.state),
        rendered_at=row.rendered_at,
        path=row.path,
        message_id=row.message_id,
        recipients=tuple(str(r) for r in row.recipients or ()),
        attempts=row.attempts,
        last_error=row.last_error,
        sent_at=row.sent_at,
        next_attempt_at=row.next_attempt_at,
    )


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: 5 min, 15 min, 45 min, ...,
    capped at 6 h (a mail server that is down for the night is still retried by morning)."""
    delay = BACKOFF_FIRST * int(BACKOFF_FACTOR ** max(attempts - 1, 0))
    return min(delay, BACKOFF_CAP)


def get_digest(session: Session, org: str, day: date) -> DigestRecord | None:
    row = session.scalar(select(DigestRow).where(DigestRow.org == org, DigestRow.day == day))
    return _record(row) if row is not None else None


def ensure_digest(session: Session, org: str, day: date, now: datetime, path: str) -> DigestRecord:
    """Create the row for (org, day) in state ``rendered`` unless it exists (an upsert that
    never touches an existing row, so a re-render cannot reset a sent or sending digest)."""
    upsert(
        session,
        DigestRow.__table__,  # type: ignore[arg-type]
        [
            {
                "org": org,
                "day": day,
                "state": DigestState.RENDERED.value,
                "rendered_at": now,
                "path": path,
                "message_id": "",
                "recipients": [],
                "attempts": 0,
                "last_error": "",
            }
        ],
        key=["org", "day"],
    )
    record = get_digest(session, org, day)
    assert record is not None  # just inserted or already there
    return record


def claim_for_sending(
    session: Session,
    org: str,
    day: date,
    now: datetime,
    message_id: str,
    *,
    ignore_backoff: bool = False,
) -> bool:
    """Atomically move a ``rendered`` or due ``failed`` digest to ``sending``; True only for the
    one caller that did it. ``message_id`` is kept if one was set by an earlier attempt, so a
    retry carries the same Message-ID (recipients' mail clients then collapse duplicates).
    ``ignore_backoff`` is for a person retrying by hand: a failed digest is claimable at once
    (still only by one caller, and never once sent)."""
    due = (DigestRow.next_attempt_at.is_(None)) | (DigestRow.next_attempt_at <= now)
    stmt = (
        update(DigestRow)
        .where(
            DigestRow.org == org,
            DigestRow.day == day,
            DigestRow.state.in_(CLAIMABLE),
            true() if ignore_backoff else due,
        )
        .values(
            state=DigestState.SENDING.value,
            attempts=DigestRow.attempts + 1,
            rendered_at=now,
            message_id=case((DigestRow.message_id == "", message_id), else_=DigestRow.message_id),
        )
        .execution_options(synchronize_session=False)
    )
    result = session.execute(stmt)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def _merge(old: Iterable[str], new: Iterable[str]) -> list[str]:
    out = list(old)
    out += [r for r in new if r not in out]
    return out


def _sending_row(session: Session, org: str, day: date) -> DigestRow:
    row = session.scalar(
        select(DigestRow).where(
            DigestRow.org == org,
            DigestRow.day == day,
            DigestRow.state == DigestState.SENDING.value,
        )
    )
    if row is None:
        raise LookupError(f"no digest in state 'sending' for {org!r} on {day}")
    return row


def mark_sent(
    session: Session, org: str, day: date, now: datetime, delivered: Sequence[str]
) -> DigestRecord:
    """The SMTP server accepted the message for every recipient: ``sending -> sent``."""
    row = _sending_row(session, org, day)
    row.state = DigestState.SENT.value
    row.sent_at = now
    row.recipients = _merge(row.recipients or (), delivered)
    row.last_error = ""
    row.next_attempt_at = None
    session.flush()
    return _record(row)


def mark_failed(
    session: Session,
    org: str,
    day: date,
    now: datetime,
    reason: str,
    delivered: Sequence[str] = (),
) -> DigestRecord:
    """A definite failure (nothing, or not everyone, received it): ``sending -> failed`` with
    the reason and the time of the next try. ``delivered`` lists addresses that did accept the
    message in this attempt, so the retry skips them."""
    row = _sending_row(session, org, day)
    row.state = DigestState.FAILED.value
    row.last_error = reason[:4000]
    row.recipients = _merge(row.recipients or (), delivered)
    row.next_attempt_at = now + backoff(row.attempts)
    session.flush()
    return _record(row)


def note_uncertain(session: Session, org: str, day: date, reason: str) -> DigestRecord:
    """The connection broke after the message was handed over: it may have been delivered.
    The digest stays in ``sending`` (so nothing resends it) and the reason is recorded for the
    person who reads the stuck report."""
    row = _sending_row(session, org, day)
    row.last_error = f"delivery unknown: {reason}"[:4000]
    session.flush()
    return _record(row)


def due_retries(session: Session, now: datetime) -> list[DigestRecord]:
    """Failed digests whose next attempt is due, for the scheduler's retry job."""
    stmt = (
        select(DigestRow)
        .where(
            DigestRow.state == DigestState.FAILED.value,
            DigestRow.next_attempt_at.is_not(None),
            DigestRow.next_attempt_at <= now,
            DigestRow.attempts < MAX_AUTOMATIC_ATTEMPTS,
        )
        .order_by(DigestRow.day, DigestRow.org)
    )
    return [_record(r) for r in session.scalars(stmt)]


def stuck_digests(
    session: Session, now: datetime, older_than: timedelta = STUCK_AFTER
) -> list[DigestRecord]:
    """Digests claimed more than ``older_than`` ago and still ``sending``: report these."""
    stmt = (
        select(DigestRow)
        .where(
            DigestRow.state == DigestState.SENDING.value,
            DigestRow.rendered_at.is_not(None),
            DigestRow.rendered_at < now - older_than,
        )
        .order_by(DigestRow.day, DigestRow.org)
    )
    return [_record(r) for r in session.scalars(stmt)]


def release_stuck(
    session: Session, org: str, day: date, now: datetime, older_than: timedelta = STUCK_AFTER
) -> bool:
    """A person's decision after checking the mail logs: turn a stuck ``sending`` digest into a
    ``failed`` one that is due now. Refuses (False) while a sender could still be working."""
    stmt = (
        update(DigestRow)
        .where(
            DigestRow.org == org,
            DigestRow.day == day,
            DigestRow.state == DigestState.SENDING.value,
            DigestRow.rendered_at < now - older_than,
        )
        .values(
            state=DigestState.FAILED.value,
            next_attempt_at=now,
            last_error="released by hand after being stuck in sending",
        )
        .execution_options(synchronize_session=False)
    )
    result = session.execute(stmt)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1
