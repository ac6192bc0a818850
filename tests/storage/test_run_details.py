"""``crawl_runs.details`` (#19): a queued ad-hoc crawl's finds and failed pages, kept with its
run so the CLI that waits for it prints them; NULL for every other run. Migration 0016 adds
the column and takes it away again, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from crawler.press.report import ADHOC_JOB, CrawlReport, PageProblem
from crawler.runs.record import finish_report
from crawler.storage.db import session_scope
from crawler.storage.migrate import alembic_config, upgrade
from crawler.storage.runs import runs_by_id, start_run
from scheduler.queue.waiting import summed

T0 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
FOUND = {"url": "http://news.test/a", "kind": "press", "queries": ["ora"], "terms": ["ORA"]}


def _run(engine: Engine, report: CrawlReport) -> int:
    with session_scope(engine) as session:
        run_id = start_run(session, report.job, T0, pid=None)
    finish_report(engine, run_id, report, T0)
    return run_id


def test_an_adhoc_runs_finds_come_back_and_other_runs_keep_none(engine: Engine) -> None:
    first = CrawlReport(job=ADHOC_JOB, sources=2, pages=2, articles=1, mentions=1)
    first.found.append(FOUND)
    first.problems.append(PageProblem("http://news.test/gone", "HTTP 404"))
    second = CrawlReport(job=ADHOC_JOB, sources=1, pages=1, exit_status=3, error="nothing")
    site = CrawlReport(job="crawl", pages=5)
    site.problems.append(PageProblem("http://news.test/x", "HTTP 500"))
    ids = [_run(engine, r) for r in (first, second, site)]
    with session_scope(engine) as session:
        rows = runs_by_id(session, ids)
        assert rows[ids[2]].details is None  # a site crawl's problems stay in its log
        assert rows[ids[0]].details == {
            "found": [FOUND],
            "problems": [{"url": "http://news.test/gone", "reason": "HTTP 404"}],
        }
    both = summed(CrawlReport, engine, ids[:2])
    assert (both.sources, both.pages, both.articles, both.mentions) == (3, 3, 1, 1)
    assert both.found == [FOUND]
    assert both.problems == [PageProblem("http://news.test/gone", "HTTP 404")]
    assert (both.exit_status, both.error) == (3, f"run {ids[1]}: nothing")


def test_migration_0016_adds_and_removes_only_the_details_column(engine: Engine) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0015")
    columns = {c["name"] for c in inspect(engine).get_columns("crawl_runs")}
    assert "details" not in columns
    assert {"id", "job", "stats", "org"} <= columns
    upgrade(engine)
    assert "details" in {c["name"] for c in inspect(engine).get_columns("crawl_runs")}
