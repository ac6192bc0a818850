"""WebSub subscriptions and hub checks (#21): the SQL of ``crawler.websub``.

One row per (organisation, topic). A renewal keeps the row, its token and its secret; the
callback endpoint finds a subscription by its token only (the unguessable path segment).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from crawler.storage.models import SourceRow, WebSubCheckRow, WebSubSubscriptionRow
from crawler.storage.upsert import dialect_insert


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    org: str
    source_id: int | None
    topic: str
    hub: str
    token: str
    secret: str
    state: str
    expires_at: datetime | None
    pushes: int
    refused: int
    last_error: str
    requested_at: datetime
    verified_at: datetime | None
    last_push_at: datetime | None


def _view(row: WebSubSubscriptionRow) -> Subscription:
    return Subscription(
        row.id, row.org, row.source_id, row.topic, row.hub, row.token, row.secret, row.state,
        row.expires_at, row.pushes, row.refused, row.last_error, row.requested_at,
        row.verified_at, row.last_push_at,
    )  # fmt: skip


def by_token(session: Session, token: str) -> Subscription | None:
    row = session.scalars(
        select(WebSubSubscriptionRow).where(WebSubSubscriptionRow.token == token)
    ).first()
    return _view(row) if row is not None else None


def subscriptions(session: Session, org: str) -> list[Subscription]:
    stmt = (
        select(WebSubSubscriptionRow)
        .where(WebSubSubscriptionRow.org == org)
        .order_by(WebSubSubscriptionRow.id)
    )
    return [_view(row) for row in session.scalars(stmt)]


@dataclass(frozen=True, slots=True)
class Overview:
    """What `mediamon status` says of WebSub: subscriptions per state, how many active
    leases already ran out (the renewal did not happen: the ``websub`` job is not running,
    or the hub refuses), the nearest lease end still ahead, the pushes taken and refused (a
    refused push had a bad or missing signature, another topic, or no feed in it), and how
    many subscriptions carry an error (a hub request failed, or the last push was refused)."""

    states: dict[str, int]
    expired: int
    next_expiry: datetime | None
    next_topic: str
    pushes: int
    refused: int
    with_errors: int

    @property
    def total(self) -> int:
        return sum(self.states.values())


def overview(session: Session, org: str, now: datetime) -> Overview:
    """One organisation's WebSub at a glance: aggregate queries, no rows loaded."""
    sub = WebSubSubscriptionRow
    states: dict[str, int] = {}
    pushes = refused = 0
    grouped = (
        select(sub.state, func.count(), func.sum(sub.pushes), func.sum(sub.refused))
        .where(sub.org == org)
        .group_by(sub.state)
    )
    for state, count, pushed, refusals in session.execute(grouped):
        states[state] = int(count)
        pushes += int(pushed or 0)
        refused += int(refusals or 0)
    active = (sub.org == org, sub.state == "active")
    expired = session.scalar(
        select(func.count()).select_from(sub).where(*active, sub.expires_at <= now)
    )
    nearest = session.execute(
        select(sub.expires_at, sub.topic)
        .where(*active, sub.expires_at > now)
        .order_by(sub.expires_at, sub.id)
        .limit(1)
    ).first()
    with_errors = session.scalar(
        select(func.count()).select_from(sub).where(sub.org == org, sub.last_error != "")
    )
    return Overview(
        states=states,
        expired=int(expired or 0),
        next_expiry=nearest[0] if nearest else None,
        next_topic=nearest[1] if nearest else "",
        pushes=pushes,
        refused=refused,
        with_errors=int(with_errors or 0),
    )


def request(
    session: Session,
    org: str,
    source_id: int | None,
    topic: str,
    hub: str,
    *,
    state: str,
    token: str,
    secret: str,
    now: datetime,
) -> Subscription:
    """Record that we asked ``hub`` to (un)subscribe ``topic``: a new row, or the known one
    (keeping its token and secret, so a renewal's verification reaches the same callback)."""
    table: Table = WebSubSubscriptionRow.__table__  # type: ignore[assignment]
    stmt = dialect_insert(session, table).on_conflict_do_nothing(index_elements=["org", "topic"])
    session.execute(
        stmt,
        [
            {
                "org": org, "source_id": source_id, "topic": topic, "hub": hub, "token": token,
                "secret": secret, "state": state, "lease_seconds": 0, "requested_at": now,
                "pushes": 0, "refused": 0, "last_error": "",
            }
        ],
    )  # fmt: skip
    row = session.scalars(
        select(WebSubSubscriptionRow).where(
            WebSubSubscriptionRow.org == org, WebSubSubscriptionRow.topic == topic
        )
    ).one()
    row.state, row.hub, row.requested_at, row.last_error = state, hub, now, ""
    if source_id is not None:
        row.source_id = source_id
    return _view(row)


def set_state(
    session: Session,
    sub_id: int,
    state: str,
    now: datetime,
    *,
    lease_seconds: int | None = None,
    error: str = "",
    requested: bool = False,
) -> None:
    """A verified (or denied, or failed) request: the new state, and the lease granted.
    ``requested``: a request is being sent to the hub now (its time is kept, so that an
    unanswered one is asked again only once a recheck period)."""
    values: dict[str, object] = {"state": state, "last_error": error[:500]}
    if requested:
        values["requested_at"] = now
    if lease_seconds is not None:
        values |= {
            "lease_seconds": lease_seconds,
            "verified_at": now,
            "expires_at": now + timedelta(seconds=lease_seconds),
        }
    session.execute(
        update(WebSubSubscriptionRow).where(WebSubSubscriptionRow.id == sub_id).values(**values)
    )


def record_push(session: Session, sub_id: int, now: datetime, *, refused: str = "") -> None:
    """Count a pushed document (or a refused one, with the reason)."""
    row = session.get(WebSubSubscriptionRow, sub_id)
    if row is None:
        return
    if refused:
        row.refused += 1
        row.last_error = refused[:500]
    else:
        row.pushes += 1
        row.last_push_at = now


def note_error(session: Session, sub_id: int, error: str) -> None:
    """A request to the hub failed: kept for ``mediamon websub`` and the next pass."""
    session.execute(
        update(WebSubSubscriptionRow)
        .where(WebSubSubscriptionRow.id == sub_id)
        .values(last_error=error[:500])
    )


def source_ids(session: Session, urls: Iterable[str]) -> dict[str, int]:
    """Configured URL -> source row id (a moved feed keeps its configured URL)."""
    wanted = list(urls)
    if not wanted:
        return {}
    stmt = select(SourceRow.id, SourceRow.configured_url, SourceRow.url).where(
        SourceRow.configured_url.in_(wanted) | SourceRow.url.in_(wanted)
    )
    out: dict[str, int] = {}
    for row_id, configured, url in session.execute(stmt):
        out.setdefault(configured or url, row_id)
    return out


def source_row(session: Session, source_id: int) -> tuple[str, str, str] | None:
    """(kind, name, url) of a source, for the match stage's labels."""
    row = session.get(SourceRow, source_id)
    return (row.kind, row.name, row.url) if row is not None else None


def checked_since(session: Session, since: datetime) -> set[int]:
    """Sources looked at for a hub after ``since`` (not to be looked at again yet)."""
    stmt = select(WebSubCheckRow.source_id).where(WebSubCheckRow.checked_at > since)
    return set(session.scalars(stmt))


def record_checks(session: Session, checks: Sequence[tuple[int, str, str]], now: datetime) -> None:
    """(source id, hub found or "", error) of each source looked at now."""
    for source_id, hub, error in checks:
        row = session.scalars(
            select(WebSubCheckRow).where(WebSubCheckRow.source_id == source_id)
        ).first()
        if row is None:
            session.add(WebSubCheckRow(source_id=source_id, checked_at=now, hub=hub, error=error))
        else:
            row.checked_at, row.hub, row.error = now, hub, error[:500]
