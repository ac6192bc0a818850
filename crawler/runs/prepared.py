"""Crawling prepared runs: the one way every crawl flow is crawled.

Each flow prepares its run (``prepare_poll``, ``prepare_site``, ``prepare_harvest``: what is
due, the run's ``crawl_runs`` row, the tasks, the storage pipeline's context) into a
``Prepared`` run; ``crawl_prepared`` crawls one or several of them in this process's one
reactor, runs each one's after-crawl step and finishes each row once. ``crawler.runs.crawl``
is the API on top (``run_crawl``, ``run_crawls``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from crawler.runs.process import SpiderRun, run_spiders
from crawler.runs.record import RunRecord, RunReport


class Prepared(Protocol):
    """A run ready to crawl (``PreparedPoll``, ``PreparedSite``, ``PreparedHarvest``)."""

    record: RunRecord

    @property
    def report(self) -> RunReport: ...

    def has_work(self) -> bool:
        """Whether there is anything to crawl (else only the after-crawl step runs)."""
        ...

    def spider_class(self) -> type[Any]: ...

    def crawl_settings(self, overrides: Mapping[str, Any], log_level: str) -> dict[str, Any]: ...

    def spider_arguments(self) -> dict[str, Any]: ...

    def crawled(self, stats: Mapping[str, Any]) -> None: ...


def crawl_prepared(
    runs: Sequence[Prepared],
    overrides: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
) -> list[RunReport]:
    """Crawl prepared runs together, then finish each one's row; returns their reports.

    A run with nothing to do is not crawled (its after-crawl step still runs). A run that
    could not start is recorded as failed with the reason; the others are unaffected. A crash
    (of the reactor, or of an after-crawl step) is recorded on the runs it stops, then raised,
    as ``RunRecord.around`` does for one run.
    """
    busy = [run for run in runs if run.has_work()]
    specs = [
        SpiderRun(
            {**run.crawl_settings(overrides or {}, log_level), **run.record.clock.settings()},
            run.spider_class(),
            run.spider_arguments(),
        )
        for run in busy
    ]
    try:
        results = run_spiders(specs, log_level=log_level) if specs else []
    except Exception as exc:
        for run in runs:
            _fail(run, f"{type(exc).__name__}: {exc}")
        raise
    stats = {id(run): result for run, result in zip(busy, results, strict=True)}
    crash: Exception | None = None
    for run in runs:
        result = stats.get(id(run))
        if result is not None and result.failure:
            _fail(run, result.failure)
            continue
        try:
            run.crawled(result.stats if result is not None else {})
        except Exception as exc:
            _fail(run, f"{type(exc).__name__}: {exc}")
            crash = crash or exc
            continue
        run.record.finish(run.report)
    if crash is not None:
        raise crash
    return [run.report for run in runs]


def _fail(run: Prepared, reason: str) -> None:
    report = run.report
    report.exit_status, report.error = 1, reason
    run.record.finish(report)
