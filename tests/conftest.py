"""Shared fixtures: real databases built by the migrations.

SQLite is a file in tmp_path; PostgreSQL is the local server, with one fresh schema per test
run (dropped at the end). With CI=true an unreachable PostgreSQL fails the run instead of
skipping, so a green CI always means both databases were tested. The run has its own cache
folder ($MEDIAMON_CACHE_DIR, a temporary one): nothing is written into the real ~/.cache.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from crawler.config import CACHE_ENV
from crawler.storage.db import make_engine
from crawler.storage.migrate import upgrade

#: Fixtures that bring up a real part (a database, a local server): their tests are
#: ``integration``; the rest are ``unit`` (``make test-unit``, feedback in under a minute).
INTEGRATION_FIXTURES = frozenset(
    {
        "postgres_base", "postgres_url", "db_url", "engine", "sqlite_engine", "sqlite_url",
        "migrated", "stored_mentions", "web", "day_web", "sample_web", "world", "fixture_site",
        "serve", "live", "live_sqlite", "shared", "start_smtp", "smtp_server", "silent_server",
        "truth", "get", "at_day", "large", "fuzz_live", "sink", "queue_prefix",
    }
)  # fmt: skip
INTEGRATION_MARKERS = ("slow", "postgres", "browser")


#: The run's own cache folder (``$MEDIAMON_CACHE_DIR``, made by the process that starts the run).
_CACHE_FOLDER = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Point ``$MEDIAMON_CACHE_DIR`` at a temporary folder for the whole run: the suite never
    writes into the real ~/.cache (py3langid's decompressed model, crawler.press.langmodel).
    It is set in the environment, so every child process (crawl children, the CLI, workers)
    and every xdist worker (started after this, inheriting it) share the one copy."""
    if hasattr(config, "workerinput") and os.environ.get(CACHE_ENV):
        return  # an xdist worker: the controller's folder
    folder = tempfile.mkdtemp(prefix="mediamon-test-cache-")
    os.environ[CACHE_ENV] = folder
    config.stash[_CACHE_FOLDER] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's cache folder (68 MB once a language was detected)."""
    folder = config.stash.get(_CACHE_FOLDER, "")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test ``unit`` or ``integration`` by the real parts it needs."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        module = getattr(item, "module", None)
        heavy = (
            fixtures & INTEGRATION_FIXTURES
            or any(item.get_closest_marker(name) for name in INTEGRATION_MARKERS)
            or "subprocess" in vars(module or object)  # starts the CLI or a child process
        )
        item.add_marker(pytest.mark.integration if heavy else pytest.mark.unit)
    _long_files_first(items)


def _long_files_first(items: list[pytest.Item]) -> None:
    """Files holding a ``long`` test first (longest first), then ``slow`` ones, then the rest.

    pytest-xdist hands whole files out in collection order (``--dist loadfile``): a test of
    several minutes handed out last ends the run alone on one worker while the other waits;
    handed out first, the short files fill in around it. The sort is stable, so each file
    keeps its own order.
    """
    ranks: dict[object, float] = {}
    for item in items:
        long = item.get_closest_marker("long")
        if long is not None:  # the longest first: ``long(minutes=N)``, one minute by default
            rank = -float(long.kwargs.get("minutes", 1))
        else:
            rank = 1.0 if item.get_closest_marker("slow") else 2.0
        ranks[item.path] = min(rank, ranks.get(item.path, 2.0))
    items.sort(key=lambda item: ranks[item.path])


POSTGRES_URL = os.environ.get(
    "MEDIAMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "not usable here"
        return str(exc).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_base() -> str:
    """A fresh schema on the local PostgreSQL for this test run; yields a URL that uses it."""
    problem = _postgres_reachable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {problem}")
        pytest.skip(f"local PostgreSQL unreachable: {problem}")
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_base: str) -> Iterator[str]:
    """One empty schema per test, so tests never see each other's rows."""
    schema = f"mm_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_base else "?"
    yield f"{postgres_base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mediamon.db'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file built by the migrations, once per test process.

    Tests that need a migrated SQLite database get a copy of it (``migrated_sqlite``): the
    same real file the migrations build, for a file copy instead of a run of every migration
    (0.06 s of CPU and 0.2-0.3 s of disk syncs per test, in some 270 tests; #13).
    """
    path = tmp_path_factory.mktemp("sqlite-template") / "mediamon.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    eng.dispose()
    # The last connection closed checkpoints the write-ahead log into the file: the file
    # alone is the whole database.
    assert not path.with_name(path.name + "-wal").exists()
    return path


def migrated_sqlite(url: str, template: Path) -> str:
    """``url`` (a SQLite file that does not exist yet) as a copy of the migrated template."""
    target = Path(url.removeprefix("sqlite:///"))
    assert not target.exists(), target
    shutil.copyfile(template, target)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each storage test runs on both databases."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def migrated(db_url: str, sqlite_template: Path) -> str:
    """``db_url`` with the schema built (both databases)."""
    if db_url.startswith("sqlite:"):
        return migrated_sqlite(db_url, sqlite_template)
    eng = make_engine(db_url)
    upgrade(eng)
    eng.dispose()
    return db_url


@pytest.fixture
def engine(migrated: str) -> Iterator[Engine]:
    """A migrated engine on each database."""
    eng = make_engine(migrated)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str, sqlite_template: Path) -> Iterator[Engine]:
    eng = make_engine(migrated_sqlite(sqlite_url, sqlite_template))
    yield eng
    eng.dispose()
