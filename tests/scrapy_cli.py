"""Running ``scrapy crawl`` as a user would, and reading back what a run stored.

Shared by the tests of ``scrapy crawl feeds``, ``site`` and ``linkbacks``: each compares a
database written by ``scrapy crawl`` with one written by ``mediamon`` (or the scheduler's
child runner) from the same world.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import list_mentions
from crawler.storage.migrate import upgrade
from crawler.storage.runs import recent_runs

ROOT = Path(__file__).resolve().parents[1]  # where scrapy.cfg is
BIN = Path(sys.executable).parent

Finds = set[tuple[str, str, str]]
Runs = list[tuple[str, int, str]]


def new_database(path: Path) -> str:
    """A migrated SQLite database at ``path``; returns its URL."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def scrapy(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` in the project folder with ``env`` added to this environment."""
    return subprocess.run(
        [str(BIN / "scrapy"), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def finds(url: str, org: str) -> tuple[Finds, Runs]:
    """The stored mentions (kind, URL, target) and the runs (job, exit status, error)."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        mentions = {(m.kind.value, m.url, m.target or "") for m in list_mentions(session, org)}
        runs = [(r.job, r.exit_status or 0, r.error) for r in recent_runs(session)]
    engine.dispose()
    return mentions, runs
