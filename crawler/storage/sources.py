"""Sources: sync them from the config, and read them for `status` and the poller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from crawler.config import Config
from crawler.domain import SourceType
from crawler.storage.models import SourceRow
from crawler.storage.upsert import upsert


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What the config says about a source (the poll state is the database's)."""

    url: str
    name: str
    kind: str
    type: SourceType
    weight: int = 1
    language: str = ""


def specs_from_config(config: Config) -> list[SourceSpec]:
    """The organisation's own sites first (they register posts), then the watched sources."""
    specs = [
        SourceSpec(
            url=site.feed or site.url,
            name=f"own: {site.url}",
            kind="blog",
            type=SourceType.OWN,
            weight=0,
        )
        for site in config.organisation.sites
    ]
    specs += [
        SourceSpec(
            url=s.url,
            name=s.name,
            kind=s.kind.value,
            type=SourceType.FEED,
            weight=s.weight,
            language=s.language,
        )
        for s in config.sources
    ]
    return specs


def sync_sources(session: Session, config: Config, now: datetime) -> int:
    """Insert new configured sources and refresh name/kind/weight of known ones.

    A source is matched by the URL the config gives (``configured_url``), not by the URL it
    is polled at: a feed that moved permanently (301/308, confirmed three times) keeps its row
    and its history instead of being inserted again. Poll state is never touched here, and
    sources removed from the config are kept (their mentions still point at them); returns how
    many sources the config names. Only this organisation's rows (and rows of no organisation,
    which it adopts) are matched: another organisation watching the same URL has its own row
    and poll state (#16).
    """
    specs = specs_from_config(config)
    org = config.organisation.name
    known: dict[str, int] = {}
    current: dict[int, tuple[object, ...]] = {}
    columns = (SourceRow.org, SourceRow.name, SourceRow.kind, SourceRow.weight, SourceRow.language)
    for known_id, url, configured, *stored in session.execute(
        select(SourceRow.id, SourceRow.url, SourceRow.configured_url, *columns).where(
            SourceRow.org.in_((org, ""))
        )
    ):
        known.setdefault(configured or url, known_id)
        known.setdefault(url, known_id)
        current[known_id] = tuple(stored)
    updates: list[dict[str, object]] = []
    inserts: list[dict[str, object]] = []
    for s in specs:
        values: dict[str, object] = {
            "org": org,
            "name": s.name,
            "kind": s.kind,
            "weight": s.weight,
            "language": s.language,
        }
        row_id = known.get(s.url)
        if row_id is not None:
            if current.get(row_id) != tuple(values.values()):
                updates.append({"row_id": row_id, **values})
            continue
        inserts.append(
            {
                **values,
                "url": s.url,
                "configured_url": s.url,
                "type": s.type.value,
                "created_at": now,
                "next_check_at": now,
                "discovered": [],
                "events": [],
            }
        )
    if updates:
        stmt = (
            update(SourceRow)
            .where(SourceRow.id == bindparam("row_id"))
            .values(
                org=bindparam("org"),
                name=bindparam("name"),
                kind=bindparam("kind"),
                weight=bindparam("weight"),
                language=bindparam("language"),
            )
        )
        session.connection().execute(stmt, updates)
    upsert(
        session,
        SourceRow.__table__,  # type: ignore[arg-type]
        inserts,
        key=["org", "url"],
        update=["name", "kind", "weight", "language"],
    )
    return len(specs)


def list_sources(session: Session, org: str | None = None) -> Sequence[SourceRow]:
    stmt = select(SourceRow).order_by(SourceRow.type, SourceRow.name)
    if org is not None:
        stmt = stmt.where(SourceRow.org == org)
    return session.scalars(stmt).all()


@dataclass(frozen=True, slots=True)
class SourceState:
    """What `mediamon status` shows for one source."""

    name: str
    type: str
    url: str
    configured_url: str
    health: str
    last_status: int | None
    last_error: str
    checked_at: datetime | None
    next_check_at: datetime | None
    failures: float
    entries_total: int
    discovered: tuple[str, ...]
    disabled_reason: str
    last_event: dict[str, object] | None


def source_states(session: Session, org: str | None = None) -> list[SourceState]:
    """Every source with its poll state, dead ones included (they are never dropped)."""
    out = []
    for row in list_sources(session, org):
        events = list(row.events or [])
        out.append(
            SourceState(
                name=row.name,
                type=row.type,
                url=row.url,
                configured_url=row.configured_url or row.url,
                health=row.health,
                last_status=row.last_status,
                last_error=row.last_error,
                checked_at=row.checked_at,
                next_check_at=row.next_check_at,
                failures=row.failures,
                entries_total=row.entries_total,
                discovered=tuple(
                    str(d.get("url", "")) if isinstance(d, dict) else str(d)
                    for d in (row.discovered or [])
                ),
                disabled_reason=row.disabled_reason,
                last_event=events[-1] if events else None,
            )
        )
    return out


def add_sources(session: Session, org: str, specs: Sequence[SourceSpec], now: datetime) -> int:
    """Insert sources that come from outside the config (an OPML import, ``sources add``);
    a URL this organisation already watches is left exactly as it is, so importing the same
    list twice changes nothing (another organisation's row of the URL is its own, #16).
    One multi-row statement. Returns how many were new."""
    rows: list[dict[str, object]] = [
        {
            "org": org,
            "url": s.url,
            "configured_url": s.url,
            "name": s.name[:200],
            "kind": s.kind,
            "type": s.type.value,
            "weight": s.weight,
            "language": s.language[:20],
            "created_at": now,
            "next_check_at": now,
            "discovered": [],
            "events": [],
        }
        for s in specs
    ]
    table = SourceRow.__table__
    return len(upsert(session, table, rows, key=["org", "url"]))  # type: ignore[arg-type]


def get_source_by_url(session: Session, url: str, org: str | None = None) -> SourceRow | None:
    """The source polled at, or configured as, ``url`` (of ``org`` when given)."""
    stmt = select(SourceRow).where((SourceRow.url == url) | (SourceRow.configured_url == url))
    if org is not None:
        stmt = stmt.where(SourceRow.org == org)
    return session.scalars(stmt.order_by(SourceRow.id)).first()
