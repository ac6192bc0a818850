"""A linkback run in a spawned child process with a time limit (the way scrapyd runs crawls).

Scrapy's reactor starts once per process, so a scheduler or a test that runs several
harvests, re-checks and verifications runs each in a fresh child; a crash, leak or hang in one
never takes the parent down. The parent starts the ``crawl_runs`` row, so a child killed at
its limit still leaves a finished, failed run behind (exit status 124, as ``crawler.run``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from crawler.config import load_config
from crawler.harvest.report import HarvestReport, RecheckReport, VerifyReport
from crawler.spawned import run_spawned
from crawler.storage.db import make_engine, session_scope
from crawler.storage.runs import finish_run, start_run

__all__ = ["REPORTS", "in_child"]

REPORTS: dict[str, type[HarvestReport] | type[RecheckReport] | type[VerifyReport]] = {
    "harvest": HarvestReport,
    "recheck": RecheckReport,
    "verify": VerifyReport,
}


def _child(conn: Any, job: str, config_path: str, db_url: str, kwargs: dict[str, Any]) -> None:
    try:
        from crawler.harvest import run

        functions: dict[str, Callable[..., HarvestReport | RecheckReport | VerifyReport]] = {
            "harvest": run.run_harvest,
            "recheck": run.run_recheck,
            "verify": run.run_verify,
        }
        config = load_config(config_path)
        report = functions[job](config, db_url, **kwargs)
        conn.send(json.dumps(report.to_json(), default=str))
    except BaseException as exc:
        conn.send(json.dumps({"exit_status": 1, "error": f"{type(exc).__name__}: {exc}"}))
    finally:
        conn.close()


def in_child(
    job: str, config_path: str, db_url: str, timeout: float, kwargs: dict[str, Any]
) -> HarvestReport | RecheckReport | VerifyReport:
    """Run ``job`` (harvest, recheck, verify) in a child; its report, or a failed one."""
    report_type = REPORTS[job]
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        run_id = start_run(session, job, datetime.now(UTC))
    spawned = run_spawned(
        _child,
        (
            job,
            config_path,
            db_url,
            {**kwargs, "run_id": run_id},
        ),
        timeout,
    )
    if spawned.payload is None:
        report = report_type(exit_status=spawned.exit_status, error=spawned.error, run_id=run_id)
        with session_scope(engine) as session:
            finish_run(
                session,
                run_id,
                datetime.now(UTC),
                stats=report.stats(),
                exit_status=report.exit_status,
                error=report.error,
            )
    else:
        report = report_type.from_json(json.loads(spawned.payload))
    engine.dispose()
    return report
