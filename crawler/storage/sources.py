"""Sources: sync them from the config, and read them for `status` and the poller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawler.config import Config
from crawler.domain import SourceHealth, SourceType
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

    Poll state is never touched here, and sources removed from the config are kept (their
    mentions still point at them); returns how many sources the config names.
    """
    specs = specs_from_config(config)
    rows: list[dict[str, object]] = [
        {
            "url": s.url,
            "configured_url": s.url,
            "org": config.organisation.name,
            "name": s.name,
            "kind": s.kind,
            "type": s.type.value,
            "weight": s.weight,
            "language": s.language,
            "created_at": now,
            "next_check_at": now,
            "discovered": [],
            "events": [],
        }
        for s in specs
    ]
    upsert(
        session,
        SourceRow.__table__,  # type: ignore[arg-type]
        rows,
        key=["url"],
        update=["name", "kind", "weight", "language", "org"],
    )
    return len(rows)


def list_sources(session: Session, org: str | None = None) -> Sequence[SourceRow]:
    stmt = select(SourceRow).order_by(SourceRow.type, SourceRow.name)
    if org is not None:
        stmt = stmt.where(SourceRow.org == org)
    return session.scalars(stmt).all()


def count_unhealthy(session: Session) -> dict[str, int]:
    rows = session.execute(select(SourceRow.health)).scalars().all()
    out = {h.value: 0 for h in SourceHealth}
    for health in rows:
        out[health] = out.get(health, 0) + 1
    return out


def disable_source(session: Session, source_id: int, reason: str) -> None:
    session.execute(
        update(SourceRow).where(SourceRow.id == source_id).values(disabled_reason=reason)
    )
