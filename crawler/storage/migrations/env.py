"""Alembic environment: runs on the connection the caller passes (``config.attributes``),
or on ``sqlalchemy.url``; SQLite uses batch mode so ALTERs work there too."""

from __future__ import annotations

from alembic import context
from alembic.util import CommandError
from sqlalchemy import Connection

from crawler.config import database_url
from crawler.storage.db import make_engine
from crawler.storage.models import Base
from crawler.storage.search import is_search_object

config = context.config
target_metadata = Base.metadata


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """APScheduler's job store lives in the same database but is not ours to migrate; the
    full-text index (migration 0008) is SQL the models cannot describe."""
    if is_search_object(name, type_):
        return False
    return not (type_ == "table" and name is not None and name.startswith("apscheduler_"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Run as `alembic ...` from the repository root, the database comes from --db's
    # environment variable (MEDIAMON_DATABASE_URL) or the default SQLite file.
    try:
        url = config.get_main_option("sqlalchemy.url") or ""
    except CommandError:  # no alembic.ini: configured from pyproject.toml only
        url = ""
    engine = make_engine(url or database_url(None, None))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(None, None), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
