"""Create or migrate the schema with Alembic (never ``create_all``), and refuse a database
that a newer mediamon has migrated: running old code on a newer schema would corrupt data.

Alembic is imported only where a migration is read or run: every command and every crawl,
poll or harvest child checks the schema first (:func:`require_current`), and on a database
at :data:`SCHEMA_HEAD` that is one ``SELECT``, without importing Alembic (and Mako, and
Pygments through it) or reading every migration script: ~0.1 CPU-s a process (#14)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from crawler.storage.db import DatabaseError, check_connection

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration's revision: a new migration moves it (a test compares it with
#: Alembic's head).
SCHEMA_HEAD = "0016"


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _scripts(engine: Engine) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine))


def head_revision(engine: Engine) -> str:
    return _scripts(engine).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _at_head(engine: Engine) -> bool:
    """Whether the database records exactly :data:`SCHEMA_HEAD` (one plain ``SELECT`` of
    Alembic's version table; False when there is none yet)."""
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            return [str(row[0]) for row in versions] == [SCHEMA_HEAD]
    except DBAPIError:  # no version table: a new database
        return False


def check_not_newer(engine: Engine) -> None:
    """Raise if the database carries a revision this code does not know."""
    _check_known(_scripts(engine), current_revision(engine))


def _check_known(script: ScriptDirectory, current: str | None) -> None:
    if current is None:
        return
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise DatabaseError(
            f"the database is at schema revision {current}, which this mediamon does not know "
            f"(a newer version migrated it); upgrade mediamon, nothing was changed"
        )


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Migrate to ``revision``; returns (revision before, revision after)."""
    from alembic import command

    check_connection(engine)
    check_not_newer(engine)
    before = current_revision(engine)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before, current_revision(engine) or ""


def require_current(engine: Engine) -> None:
    """Commands that read or write data call this first, so a user who forgot
    ``mediamon db upgrade`` gets told so instead of a missing-table error."""
    check_connection(engine)
    if _at_head(engine):
        return
    # the migration scripts are read once (each read imports every one of them)
    script = _scripts(engine)
    current = current_revision(engine)
    _check_known(script, current)
    if current != (script.get_current_head() or ""):
        raise DatabaseError(
            "the database schema is not up to date; run `mediamon db upgrade` first"
        )
