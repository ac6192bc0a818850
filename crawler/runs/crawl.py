"""The one run API: ``run_crawl(kind, config, engine, ...)`` starts any crawl run, and
``run_crawls`` starts several at once in this process's one reactor.

Every crawl flow is prepared the same way (``prepare_poll``, ``prepare_site``,
``prepare_harvest``: read what is due, open the run's ``crawl_runs`` row, build the tasks and the
storage pipeline's context) into a ``Prepared`` run, and every prepared run is crawled the same
way here: its spider with its own settings, then its after-crawl step, then its row finished
(once, by its owner: ``crawler.runs.record``). Runs crawled together share nothing but the
reactor: each crawler has its own settings, storage pipeline, database engine and address guard
(``crawler.fetching.handler``), so two organisations' runs in one process never see each
other's data.

``python -m crawler.runs.crawl`` reads a JSON list of runs on stdin (``kind``, ``config``,
``db``, ``targets``, ``now``, ``options``) and crawls them together, printing one JSON report per
run: the same entry point the tests use to check that concurrent runs stay apart.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.engine import Engine

from crawler.config import Config, ConfigError, load_config
from crawler.runs.linkbacks import prepare_harvest
from crawler.runs.poll import prepare_poll
from crawler.runs.prepared import Prepared, crawl_prepared
from crawler.runs.record import RunReport
from crawler.runs.site import prepare_site
from crawler.storage.db import DatabaseError, make_engine

Kind = Literal["poll", "site", "harvest"]
KINDS: tuple[Kind, ...] = ("poll", "site", "harvest")


def prepare_run(
    kind: Kind,
    config: Config,
    engine: Engine,
    *,
    targets: Sequence[str] = (),
    now: datetime | None = None,
    run_id: int | None = None,
    **options: Any,
) -> Prepared:
    """Prepare one run of ``kind``: ``targets`` are source names (poll, site) or post URLs
    (harvest); ``options`` are the kind's own (``all_sources``, ``fetch_only``, ...)."""
    if kind == "poll":
        return prepare_poll(config, engine, source_names=targets, now=now, run_id=run_id, **options)
    if kind == "site":
        return prepare_site(config, engine, source_names=targets, now=now, run_id=run_id, **options)
    if kind == "harvest":
        return prepare_harvest(config, engine, post_urls=targets, now=now, run_id=run_id, **options)
    raise ValueError(f"unknown run kind {kind!r}: one of {', '.join(KINDS)}")


def run_crawl(
    kind: Kind,
    config: Config,
    engine: Engine,
    *,
    targets: Sequence[str] = (),
    now: datetime | None = None,
    run_id: int | None = None,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
    **options: Any,
) -> RunReport:
    """Start one run of ``kind`` in this process and crawl it to the end (see the module
    docstring); ``engine`` is the caller's (used, not disposed)."""
    prepared = prepare_run(kind, config, engine, targets=targets, now=now, run_id=run_id, **options)
    (report,) = crawl_prepared([prepared], settings, log_level)
    return report


@dataclass
class CrawlRequest:
    """One run of several crawled together: its own config and database."""

    kind: Kind
    config: Config
    engine: Engine
    targets: Sequence[str] = ()
    now: datetime | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


def run_crawls(
    requests: Sequence[CrawlRequest],
    *,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "WARNING",
) -> list[RunReport]:
    """Prepare every request, then crawl them all at the same time in this process."""
    prepared = [
        prepare_run(r.kind, r.config, r.engine, targets=r.targets, now=r.now, **r.options)
        for r in requests
    ]
    return crawl_prepared(prepared, settings, log_level)


def _request(raw: Mapping[str, Any]) -> CrawlRequest:
    kind = str(raw.get("kind", ""))
    if kind not in KINDS:
        raise ValueError(f"unknown run kind {kind!r}: one of {', '.join(KINDS)}")
    now = raw.get("now")
    return CrawlRequest(
        kind=kind,  # checked against KINDS above
        config=load_config(str(raw["config"])),
        engine=make_engine(str(raw["db"]), must_exist=True),
        targets=tuple(raw.get("targets", ())),
        now=datetime.fromisoformat(now) if now else None,
        options=dict(raw.get("options", {})),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Crawl the runs given as a JSON list on stdin together; one JSON report per line.

    Exits 2 on a malformed list, else with the highest exit status of the runs."""
    if argv:
        sys.stderr.write("usage: python -m crawler.runs.crawl < runs.json\n")
        return 2
    try:
        requests = [_request(raw) for raw in json.loads(sys.stdin.read() or "[]")]
    except (ValueError, KeyError, TypeError, ConfigError, DatabaseError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    reports = run_crawls(requests)
    for report in reports:
        line = {"run_id": report.run_id, "exit_status": report.exit_status, "error": report.error}
        sys.stdout.write(json.dumps({**line, "stats": report.stats()}, default=str) + "\n")
    for request in requests:
        request.engine.dispose()
    return max((report.exit_status for report in reports), default=0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
