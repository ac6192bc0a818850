"""Bearer tokens of the read API and feeds, and the web app's generated secrets (#20).

A token is shown once, when made; only its sha256 is stored (a token is 256 random bits, so
a fast hash is enough: nothing to brute-force). A revoked token stays in the table, so its
name cannot be reused by mistake and the revocation is on record.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawler.storage.models import ApiTokenRow, AppSecretRow
from crawler.storage.upsert import dialect_insert

TOKEN_PREFIX = "mm_"  # noqa: S105 (a prefix that makes a leaked token recognisable)


class TokenError(ValueError):
    """A token name taken or unknown; ``str()`` is a one-line reason."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    name: str
    org: str
    created_at: datetime
    revoked_at: datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def add_token(session: Session, name: str, org: str, now: datetime) -> str:
    """Make a token for ``org``; returns it (the only time it is seen)."""
    if not name or len(name) > 100 or not name.isprintable():
        raise TokenError("a token name is 1 to 100 printable characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    stmt = (
        dialect_insert(session, ApiTokenRow.__table__)  # type: ignore[arg-type]
        .values(name=name, token_hash=token_hash(token), org=org, created_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(ApiTokenRow.id)
    )
    if session.execute(stmt).scalar() is None:
        raise TokenError(f"a token named {name!r} already exists")
    return token


def revoke_token(session: Session, name: str, now: datetime) -> None:
    result = session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.name == name, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise TokenError(f"no active token named {name!r}")


def list_tokens(session: Session) -> list[TokenInfo]:
    rows = session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.name))
    return [TokenInfo(r.name, r.org, r.created_at, r.revoked_at) for r in rows]


def token_org(session: Session, token: str) -> str | None:
    """The organisation of an active token, or None (unknown or revoked)."""
    if not token or len(token) > 200:
        return None
    row = session.scalars(
        select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash(token))
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return row.org


def app_secret(session: Session, name: str, now: datetime) -> str:
    """The secret called ``name``, made on first use (every process then reads the same)."""
    session.execute(
        dialect_insert(session, AppSecretRow.__table__)  # type: ignore[arg-type]
        .values(name=name, value=secrets.token_urlsafe(48), created_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return str(session.scalars(select(AppSecretRow.value).where(AppSecretRow.name == name)).one())
