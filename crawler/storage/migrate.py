"""Create or migrate the schema with Alembic (never ``create_all``), and refuse a database
that a newer mediamon has migrated: running old code on a newer schema would corrupt data."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from crawler.storage.db import DatabaseError, check_connection

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision(engine: Engine) -> str:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_not_newer(engine: Engine) -> None:
    """Raise if the database carries a revision this code does not know."""
    _check_known(ScriptDirectory.from_config(alembic_config(engine)), current_revision(engine))


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
    # the migration scripts are read once (each read imports every one of them: a crawl,
    # poll or harvest process pays it at start-up)
    script = ScriptDirectory.from_config(alembic_config(engine))
    current = current_revision(engine)
    _check_known(script, current)
    if current != (script.get_current_head() or ""):
        raise DatabaseError(
            "the database schema is not up to date; run `mediamon db upgrade` first"
        )
