"""The library takes an engine: a caller that keeps one engine per process (the CLI, a
worker) passes it, and the run uses it without disposing it; ``mediamon poll`` builds one
engine and reads what is due once, the same selection sizing its progress bar and feeding
the poll."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

import crawler.runs.poll
import crawler.storage.db
import scheduler.context
from crawler.config import load_config
from crawler.runs.linkbacks import run_recheck, run_verify
from crawler.runs.site import run_site_crawl
from crawler.storage.db import session_scope
from crawler.storage.runs import recent_runs
from scheduler.cli import cli
from tests.helpers import write_config


@pytest.mark.parametrize("run", [run_verify, run_recheck, run_site_crawl])
def test_a_run_given_an_engine_uses_it_and_leaves_it_open(
    tmp_path: Path, sqlite_engine: Engine, run: Any
) -> None:
    # Nothing is due in an empty database, so no crawl (and no reactor) starts.
    pool = sqlite_engine.pool
    report = run(load_config(write_config(tmp_path)), sqlite_engine)
    assert report.exit_status == 0, report.error
    assert sqlite_engine.pool is pool  # dispose() would have replaced the pool
    with session_scope(sqlite_engine) as session:
        [row] = recent_runs(session)
    assert row.id == report.run_id
    assert row.finished_at is not None


def test_mediamon_poll_builds_one_engine_and_reads_what_is_due_once(
    tmp_path: Path, sqlite_engine: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    synced: list[str] = []
    make_engine, sync_sources = crawler.storage.db.make_engine, crawler.runs.poll.sync_sources

    def counting_engine(url: str, **kwargs: Any) -> Engine:
        made.append(url)
        return make_engine(url, **kwargs)

    def counting_sync(session: Any, config: Any, now: Any) -> Any:
        synced.append(config.organisation.name)
        return sync_sources(session, config, now)

    monkeypatch.setattr(scheduler.context, "make_engine", counting_engine)
    monkeypatch.setattr(crawler.storage.db, "make_engine", counting_engine)
    monkeypatch.setattr(crawler.runs.poll, "sync_sources", counting_sync)
    config = write_config(tmp_path)
    # An unknown source: the poll is prepared and refused without crawling (no reactor).
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--db", sqlite_url, "poll", "--source", "Nope"]
    )
    assert result.exit_code == 2, result.output
    assert "unknown source: Nope" in result.output
    assert made == [sqlite_url]
    assert synced == ["Orbis Union"]
    with session_scope(sqlite_engine) as session:
        # A usage mistake is no run: nothing recorded, so no crawl error in the digest (#18).
        assert recent_runs(session) == []
