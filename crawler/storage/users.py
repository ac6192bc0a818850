"""Web app accounts (#20): argon2 password hashes, roles, organisations, login lock-out.

A failed login counts against the user; after ``LOCK_AFTER`` failures in a row the account
is locked for ``LOCK_FOR``, whatever password is then given (so guessing is slow even from
many addresses). The check costs one argon2 verification whether or not the user exists, so
timing does not tell which names exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crawler.storage.models import UserRow
from crawler.storage.upsert import dialect_insert

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


class Role(StrEnum):
    """What a user may do: viewers read, editors also triage, admins also manage."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


class AccountError(ValueError):
    """A bad name, password or role; ``str()`` is a one-line reason."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    orgs: tuple[str, ...]
    auth_version: int
    locked_until: datetime | None
    last_login_at: datetime | None

    def can(self, role: Role) -> bool:
        return RANK[self.role] >= RANK[role]


@dataclass(frozen=True, slots=True)
class LoginResult:
    """``user`` when the password was right; else why not (``locked`` or ``wrong``)."""

    user: User | None
    reason: str = ""


def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher().hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"password too long: at most {MAX_PASSWORD} characters")


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise AccountError(
            f"bad user name {name[:40]!r}: letters, digits and . _ @ - (at most 100)"
        )


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        orgs=tuple(row.orgs or ()),
        auth_version=row.auth_version,
        locked_until=row.locked_until,
        last_login_at=row.last_login_at,
    )


def add_user(
    session: Session, name: str, password: str, role: Role, orgs: Sequence[str], now: datetime
) -> User:
    """Create a user; an existing name is an ``AccountError`` (never overwritten)."""
    check_name(name)
    password_hash = hash_password(password)
    stmt = (
        dialect_insert(session, UserRow.__table__)  # type: ignore[arg-type]
        .values(
            name=name,
            password_hash=password_hash,
            role=role.value,
            orgs=list(orgs),
            auth_version=1,
            failed_logins=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(UserRow.id)
    )
    if session.execute(stmt).scalar() is None:
        raise AccountError(f"user {name!r} already exists")
    found = get_user(session, name)
    assert found is not None
    return found


def get_user(session: Session, name: str) -> User | None:
    row = session.scalars(select(UserRow).where(UserRow.name == name)).one_or_none()
    return _user(row) if row else None


def user_by_id(session: Session, user_id: int) -> User | None:
    row = session.get(UserRow, user_id)
    return _user(row) if row else None


def list_users(session: Session) -> list[User]:
    return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]


def remove_user(session: Session, name: str) -> bool:
    return bool(session.execute(delete(UserRow).where(UserRow.name == name)).rowcount)  # type: ignore[attr-defined]


def set_password(session: Session, name: str, password: str) -> bool:
    """New password; ends the user's sessions (``auth_version``) and clears a lock-out."""
    password_hash = hash_password(password)
    result = session.execute(
        update(UserRow)
        .where(UserRow.name == name)
        .values(
            password_hash=password_hash,
            auth_version=UserRow.auth_version + 1,
            failed_logins=0,
            locked_until=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


#: Verified against when the user does not exist, so both cases cost one argon2 check.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$X0Ox94Uu4VOIJch32vIl5w$"
    "zK9N0bYOfx3kX+f+l71n0dCpAP+FKS4BvDU0dJaCIU0"
)


def authenticate(session: Session, name: str, password: str, now: datetime) -> LoginResult:
    """Check a login and count it: a success resets the failures, a failure adds one and
    locks the account after ``LOCK_AFTER`` in a row."""
    row = session.scalars(
        select(UserRow).where(UserRow.name == name[:100]).with_for_update()
    ).one_or_none()
    hasher = _hasher()
    if row is None:
        _verify(hasher, _DUMMY_HASH, password)
        return LoginResult(None, "wrong")
    if row.locked_until is not None and row.locked_until > now:
        return LoginResult(None, "locked")
    if not _verify(hasher, row.password_hash, password):
        row.failed_logins += 1
        if row.failed_logins >= LOCK_AFTER:
            row.locked_until = now + LOCK_FOR
            row.failed_logins = 0
        return LoginResult(None, "wrong")
    row.failed_logins = 0
    row.locked_until = None
    row.last_login_at = now
    if hasher.check_needs_rehash(row.password_hash):
        row.password_hash = hasher.hash(password)
    return LoginResult(_user(row))


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return False
