"""Engines and sessions. Nothing is built at import time: callers ask for an engine with the
URL they were given (config, --db, environment) and pass it down."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from crawler.config import mask_url

SQLITE_BUSY_TIMEOUT_MS = 15_000


class DatabaseError(Exception):
    """The database cannot be used; ``str()`` is a one-line reason with the password masked."""


#: Database failures a user can cause, as the driver words them, and what to do about each.
_STORAGE_FAILURES = (
    (
        "readonly database",
        "the database is read-only: make the file and its directory "
        "writable by this user (under systemd: keep it in /var/lib/mediamon)",
    ),
    (
        "database or disk is full",
        "the disk holding the database is full: free some space, "
        "then run the command again (nothing half-written was kept)",
    ),
    ("disk i/o error", "the disk holding the database failed to write (full or read-only?)"),
    (
        "unable to open database file",
        "cannot open the database file: check that its "
        "directory exists and is writable by this user",
    ),
    ("could not extend file", "the disk holding the database is full: free some space"),
    ("no space left on device", "the disk holding the database is full: free some space"),
    ("read-only transaction", "the database is read-only for this user"),
)


def describe_storage_error(exc: BaseException) -> str | None:
    """A one-line reason for a database failure the user can fix (read-only file or
    directory, full disk ...), or None when ``exc`` is not one: the CLI prints the line
    instead of a traceback (#18)."""
    if not isinstance(exc, SQLAlchemyError | sqlite3.Error):
        return None
    words = str(getattr(exc, "orig", None) or exc).lower()
    for needle, reason in _STORAGE_FAILURES:
        if needle in words:
            return reason
    return None


def normalise_url(url: str) -> str:
    """Make plain ``postgresql://`` URLs use psycopg 3, the driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


#: The databases mediamon runs on (the same migrations and tests run on both).
SUPPORTED = ("sqlite", "postgresql")


def make_engine(url: str, *, echo: bool = False, must_exist: bool = False) -> Engine:
    """An engine for ``url``: SQLite gets WAL, a busy timeout and foreign keys; PostgreSQL
    gets psycopg 3 and pre-ping so a restarted server does not break a long-lived scheduler.

    A database mediamon does not run on, or whose driver is missing, is a one-line
    ``DatabaseError``. With ``must_exist`` a missing SQLite file is one too, instead of being
    created empty by a command that only reads (only ``db upgrade`` creates the file)."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {mask_url(url)!r}") from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise DatabaseError(
            f"unsupported database {backend!r} in {mask_url(url)}: mediamon runs on SQLite "
            "(sqlite:///FILE) and PostgreSQL (postgresql://USER@HOST/DB)"
        )
    if backend == "sqlite" and must_exist:
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
            raise DatabaseError(f"no database at {path}: run `mediamon db upgrade` first")
    try:
        return _engine(url, backend, echo)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(
            f"cannot use {mask_url(url)}: its driver is not installed ({exc})"
        ) from None


def _engine(url: str, backend: str, echo: bool) -> Engine:
    if backend == "sqlite":
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def check_connection(engine: Engine) -> None:
    """Connect once, turning driver errors into a one-line DatabaseError."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unreachable"
        where = mask_url(engine.url.render_as_string(hide_password=False))
        raise DatabaseError(f"cannot connect to database {where}: {reason}") from None


@contextmanager
def engine_for(database: str | Engine) -> Iterator[Engine]:
    """The engine to use for ``database``. The library takes either: a caller that keeps one
    engine per process (the CLI, a worker) passes it and keeps owning it (it is not disposed
    here); a caller with only a URL (a child run, a shell) gets an engine for the call,
    disposed when it ends."""
    if isinstance(database, Engine):
        yield database
        return
    engine = make_engine(database)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
