"""Run history (``crawl_runs``): every job and crawl records its start, end, stats and exit
status, which feed `mediamon status` and the digest's health footer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData, Table, delete, func, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.storage.models import CrawlRunRow

JOBSTORE_TABLE = "apscheduler_jobs"


def start_run(
    session: Session, job: str, now: datetime, pid: int | None = None, org: str = ""
) -> int:
    """Open a run of ``job`` for ``org`` (``''``: for the whole database)."""
    row = CrawlRunRow(job=job, started_at=now, pid=pid, stats={}, error="", org=org)
    session.add(row)
    session.flush()
    return row.id


def finish_run(
    session: Session,
    run_id: int,
    now: datetime,
    *,
    stats: dict[str, Any] | None = None,
    exit_status: int = 0,
    error: str = "",
    details: dict[str, Any] | None = None,
) -> bool:
    """Finish an unfinished run; False (and nothing changed) if it was already finished, so a
    run's outcome is written once, by whoever owns the row (``crawler.runs.record``).
    ``details`` is what a waiting CLI prints beyond the counters (a queued ad-hoc crawl's
    finds and failed pages)."""
    result = session.execute(
        update(CrawlRunRow)
        .where(CrawlRunRow.id == run_id, CrawlRunRow.finished_at.is_(None))
        .values(
            finished_at=now,
            stats=stats or {},
            exit_status=exit_status,
            error=error[:4000],
            details=details,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def discard_run(session: Session, run_id: int) -> None:
    """Forget a run that did nothing (the alert sender's idle passes, every few seconds, would
    otherwise bury the runs that matter in `status`)."""
    session.execute(delete(CrawlRunRow).where(CrawlRunRow.id == run_id))


def runs_by_id(session: Session, run_ids: Sequence[int]) -> dict[int, CrawlRunRow]:
    """The rows of these runs (a queue's waiting CLI and its workers read them, #19)."""
    if not run_ids:
        return {}
    rows = session.scalars(select(CrawlRunRow).where(CrawlRunRow.id.in_(list(run_ids))))
    return {row.id: row for row in rows}


def recent_runs(
    session: Session, limit: int = 20, orgs: Sequence[str] | None = None
) -> Sequence[CrawlRunRow]:
    """The latest runs; with ``orgs``, only theirs and the database-wide ones (``''``)."""
    stmt = select(CrawlRunRow).order_by(CrawlRunRow.started_at.desc(), CrawlRunRow.id.desc())
    if orgs is not None:
        stmt = stmt.where(CrawlRunRow.org.in_([*orgs, ""]))
    return session.scalars(stmt.limit(limit)).all()


def last_run_per_job(session: Session, org: str | None = None) -> dict[str, CrawlRunRow]:
    """Each job's latest run (of ``org`` and the database-wide ones, when given)."""
    latest_ids = select(CrawlRunRow.job, func.max(CrawlRunRow.id).label("id"))
    if org is not None:
        latest_ids = latest_ids.where(CrawlRunRow.org.in_((org, "")))
    latest = latest_ids.group_by(CrawlRunRow.job).subquery()
    stmt = select(CrawlRunRow).join(latest, latest.c.id == CrawlRunRow.id)
    return {row.job: row for row in session.scalars(stmt)}


def scheduled_next_runs(engine: Engine) -> dict[str, datetime | None]:
    """Next run time of each job in the daemon's job store (empty before its first start).

    APScheduler owns the ``apscheduler_jobs`` table; only its id and next_run_time columns
    (a UNIX timestamp, NULL when paused) are read here, so no job state is unpickled.
    """
    if not inspect(engine).has_table(JOBSTORE_TABLE):
        return {}
    table = Table(JOBSTORE_TABLE, MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.id, table.c.next_run_time)).all()
    return {
        str(job_id): datetime.fromtimestamp(float(str(ts)), UTC) if ts is not None else None
        for job_id, ts in rows
    }


def unfinished_runs(session: Session) -> Sequence[CrawlRunRow]:
    return session.scalars(select(CrawlRunRow).where(CrawlRunRow.finished_at.is_(None))).all()


def mark_interrupted(session: Session, run_id: int, now: datetime, reason: str) -> None:
    session.execute(
        update(CrawlRunRow)
        .where(CrawlRunRow.id == run_id, CrawlRunRow.finished_at.is_(None))
        .values(finished_at=now, exit_status=-9, error=reason)
    )
