"""The migrations build exactly the models' schema, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from crawler.storage.db import DatabaseError, make_engine
from crawler.storage.migrate import SCHEMA_HEAD, head_revision, require_current, upgrade
from crawler.storage.models import Base
from crawler.storage.search import is_search_object


def test_no_drift_between_models_and_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                # The full-text index (0008) is SQL the models cannot describe.
                "include_name": lambda name, type_, _parents: not is_search_object(name, type_),
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def test_every_table_has_its_natural_key(engine: Engine) -> None:
    inspector = inspect(engine)
    expected = {
        "sources": ["org", "url"],
        "posts": ["org", "canonical_url"],
        "documents": ["canonical_url"],
        "mentions": ["org", "document_id", "kind", "target"],
        "receipts": ["protocol", "source", "target"],
        "digests": ["org", "day"],
    }
    for table, columns in expected.items():
        uniques = [u["column_names"] for u in inspector.get_unique_constraints(table)]
        assert columns in uniques, table


def test_upgrade_is_idempotent(engine: Engine) -> None:
    before, after = upgrade(engine)
    assert before == after == head_revision(engine)


def test_database_migrated_by_newer_version_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseError, match="newer version migrated it"):
        upgrade(engine)
    with engine.connect() as conn:  # nothing changed
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "9999_future"
        )


def test_schema_head_is_the_newest_migration(engine: Engine) -> None:
    # the check every process starts with compares the database with this constant
    assert head_revision(engine) == SCHEMA_HEAD
    require_current(engine)


def test_a_database_behind_or_ahead_is_refused_by_the_start_up_check(engine: Engine) -> None:
    for revision, message in (("0015", "not up to date"), ("9999_future", "newer version")):
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
        with pytest.raises(DatabaseError, match=message):
            require_current(engine)


def test_unmigrated_database_is_reported(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with pytest.raises(DatabaseError, match="run `mediamon db upgrade` first"):
        require_current(engine)
    engine.dispose()


def test_sqlite_uses_wal_and_busy_timeout(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000
