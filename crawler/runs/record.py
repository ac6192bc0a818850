"""One ``crawl_runs`` row per run, opened once and finished once, by whoever opened it.

Every run kind (poll, site crawl, ad-hoc crawl, harvest, re-check, verify) records itself the
same way. A run started on its own opens its row and finishes it. A run started by a parent
that already opened the row (the scheduler's ``record``, or ``scheduler.runner.run_in_child``)
is handed the row's id and leaves it alone: the parent finishes it with the child's report, or
with the reason the child gave none (killed at its time limit, crashed). Before this rule, a
scheduled run's row was finished twice, once by the child and once by the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.engine import Engine

from crawler.clock import CrawlClock
from crawler.storage.db import session_scope
from crawler.storage.runs import finish_run, start_run

log = logging.getLogger(__name__)


class RunReport(Protocol):
    """The one shape of every run's report (``PollReport``, ``CrawlReport``, the harvest's):
    what the bookkeeping, the child runner and the CLI read."""

    exit_status: int
    error: str
    run_id: int | None

    def stats(self) -> dict[str, Any]:
        """The counters kept in ``crawl_runs.stats``."""
        ...

    def as_stats(self) -> dict[str, Any]:
        """The counters with exit status and error: the child's one line to its parent."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The whole report as plain JSON values (rebuilt by the parent)."""
        ...


@runtime_checkable
class DetailedReport(Protocol):
    """A report with more to keep than counters (an ad-hoc crawl's finds and failures)."""

    def details(self) -> dict[str, Any] | None:
        """What goes to ``crawl_runs.details``; None: nothing."""
        ...


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run's row and whether this process owns (and so finishes) it."""

    engine: Engine
    run_id: int
    owned: bool
    clock: CrawlClock = field(default_factory=CrawlClock)
    """The run's time, starting at the ``now`` it was opened with: its crawl stamps by it."""

    @classmethod
    def open(
        cls, engine: Engine, job: str, now: datetime, run_id: int | None, org: str = ""
    ) -> RunRecord:
        """Start a row for ``job`` of ``org``, or adopt ``run_id`` that a parent started."""
        run_clock = CrawlClock.starting_at(now)
        if run_id is not None:
            return cls(engine, run_id, owned=False, clock=run_clock)
        with session_scope(engine) as session:
            return cls(engine, start_run(session, job, now, org=org), owned=True, clock=run_clock)

    def finish(self, report: RunReport) -> None:
        """Record the outcome, if the row is ours (a parent finishes its own rows)."""
        if self.owned:
            finish_report(self.engine, self.run_id, report, self.clock.now())

    def around(self, report: RunReport, work: Callable[[], None]) -> None:
        """Run ``work()`` and finish the row; a crash is recorded on the report, then raised."""
        report.run_id = self.run_id
        try:
            work()
        except Exception as exc:
            report.exit_status, report.error = 1, f"{type(exc).__name__}: {exc}"
            self.finish(report)
            raise
        self.finish(report)


def finish_report(
    engine: Engine, run_id: int, report: RunReport, now: datetime | None = None
) -> None:
    """Finish row ``run_id`` at ``now`` (default: the wall clock) with ``report``'s counters,
    exit status and error."""
    with session_scope(engine) as session:
        finished = finish_run(
            session,
            run_id,
            now or datetime.now(UTC),
            stats=report.stats(),
            exit_status=report.exit_status,
            error=report.error,
            details=report.details() if isinstance(report, DetailedReport) else None,
        )
    if not finished:
        log.warning("crawl run %s was already finished; its first outcome is kept", run_id)
