"""Leadership leases: one active scheduler per database.

PostgreSQL uses a session-level advisory lock held on a dedicated connection: if the holder
dies, its connection closes and the lock is free at once. SQLite has no such thing, so a row
in ``leases`` carries the holder and an expiry that the holder renews; a standby takes over
once the expiry has passed. Both are behind the same two verbs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, or_, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.storage.models import LeaseRow
from crawler.storage.upsert import upsert

ADVISORY_KEY = 0x6D6D6F6E  # "mmon"


#: The lock is (our key, the schema): deployments in different schemas of one PostgreSQL
#: database each have their own scheduler (and parallel test workers do not block each other).
_LOCK = "pg_try_advisory_lock(:k, hashtext(current_schema()))"
_UNLOCK = "pg_advisory_unlock(:k, hashtext(current_schema()))"


def try_advisory_lock(conn: Connection, key: int = ADVISORY_KEY) -> bool:
    """PostgreSQL only: take the session-level advisory lock on ``conn`` if it is free."""
    return bool(conn.execute(text(f"SELECT {_LOCK}"), {"k": key}).scalar())


def release_advisory_lock(conn: Connection, key: int = ADVISORY_KEY) -> None:
    conn.execute(text(f"SELECT {_UNLOCK}"), {"k": key})


def try_take_lease(engine: Engine, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder`` if it is free, expired or already ours."""
    with Session(engine) as session, session.begin():
        upsert(
            session,
            LeaseRow.__table__,  # type: ignore[arg-type]
            [{"name": name, "holder": "", "expires_at": None}],
            key=["name"],
        )
        result = session.execute(
            update(LeaseRow)
            .where(
                LeaseRow.name == name,
                or_(
                    LeaseRow.holder == holder,
                    LeaseRow.holder == "",
                    LeaseRow.expires_at.is_(None),
                    LeaseRow.expires_at < now,
                ),
            )
            .values(holder=holder, expires_at=now + ttl)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def release_lease(engine: Engine, name: str, holder: str) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(LeaseRow)
            .where(LeaseRow.name == name, LeaseRow.holder == holder)
            .values(holder="", expires_at=None)
        )
