"""``INSERT ... ON CONFLICT`` on the natural key, for SQLite and PostgreSQL alike.

Every write in mediamon goes through here so that re-runs and concurrent workers are harmless.
The PostgreSQL form adds RETURNING, which also keeps SQLAlchemy's multi-row batching on
(without it, executemany of ON CONFLICT silently goes row by row: performance-ceilings.md §6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import String, Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


def dialect_insert(session: Session, table: Table) -> Any:
    """The dialect's ``insert`` (with ``on_conflict_*``) for the session's database."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upsert is not implemented for {name}")


def upsert_statement(
    session: Session,
    table: Table,
    key: Sequence[str],
    update: Iterable[str] = (),
    fill: Iterable[str] = (),
) -> Insert:
    """Build an insert that, on a natural-key conflict, overwrites the ``update`` columns and
    fills the ``fill`` columns only where the new value is not empty (so a poorer second
    sighting never erases what a richer first one stored). With neither it does nothing.
    The statement returns the row id."""
    stmt = dialect_insert(session, table)
    set_: dict[str, Any] = {c: stmt.excluded[c] for c in update}
    for c in fill:
        new, old = stmt.excluded[c], table.c[c]
        if isinstance(table.c[c].type, String):
            set_[c] = func.coalesce(func.nullif(new, ""), old)
        else:
            set_[c] = func.coalesce(new, old)
    if set_:
        stmt = stmt.on_conflict_do_update(index_elements=list(key), set_=set_)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    return stmt.returning(table.c.id)  # type: ignore[no-any-return]


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    update: Iterable[str] = (),
    fill: Iterable[str] = (),
) -> list[int]:
    """Upsert ``rows``; returns the ids of rows inserted or updated (not of skipped ones)."""
    if not rows:
        return []
    stmt = upsert_statement(session, table, key, update, fill)
    result = session.execute(stmt, list(rows))
    return [row[0] for row in result]
