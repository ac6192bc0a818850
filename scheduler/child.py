"""Entry point of a crawl child process: ``python -m scheduler.child JOB --db URL --now ISO``.

The parent sends the config it trusts (its last good one) as JSON on stdin, so a config file
edited into an invalid state while the daemon runs cannot break the crawls it starts. The
child prints one JSON line of stats on stdout and exits non-zero on failure.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from crawler import clock
from crawler.config import Config, ConfigError, parse_config

JobFunction = Callable[[Config, str, datetime, int | None], dict[str, Any]]
"""(config, database URL, now, crawl_runs id the parent recorded) -> stats."""


def _poll(config: Config, db_url: str, now: datetime, run_id: int | None) -> dict[str, Any]:
    from crawler.run import run_poll

    return run_poll(config, db_url, now=now, run_id=run_id).as_stats()


def _crawl(config: Config, db_url: str, now: datetime, run_id: int | None) -> dict[str, Any]:
    from crawler.press.run import run_site_crawl

    return run_site_crawl(config, db_url, now=now, run_id=run_id).as_stats()


def _harvest(config: Config, db_url: str, now: datetime, run_id: int | None) -> dict[str, Any]:
    from crawler.harvest.run import run_harvest

    return run_harvest(config, db_url, now=now, run_id=run_id).as_stats()


def _recheck(config: Config, db_url: str, now: datetime, run_id: int | None) -> dict[str, Any]:
    from crawler.harvest.run import run_recheck

    return run_recheck(config, db_url, now=now, run_id=run_id).as_stats()


def _verify(config: Config, db_url: str, now: datetime, run_id: int | None) -> dict[str, Any]:
    from crawler.harvest.run import run_verify

    return run_verify(config, db_url, now=now, run_id=run_id).as_stats()


CHILD_JOBS: dict[str, JobFunction] = {
    "poll": _poll,
    "crawl": _crawl,
    "harvest": _harvest,
    "verify": _verify,
    "recheck": _recheck,
}


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _emit(stats: dict[str, Any]) -> None:
    """The one line of stats the parent reads (stdout carries nothing else)."""
    sys.stdout.write(json.dumps(stats, default=str) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler.child")
    parser.add_argument("job", choices=sorted(CHILD_JOBS))
    parser.add_argument("--db", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--run-id", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format=LOG_FORMAT)
    # Scrapy resets the root logger's level when a crawl starts; the handler's level holds.
    for handler in logging.root.handlers:
        handler.setLevel(logging.WARNING)
    try:
        data = json.loads(sys.stdin.read() or "{}")
        config = parse_config(data, path=data.pop("path", "") or "mediamon.toml")
    except (ConfigError, json.JSONDecodeError) as exc:
        _emit({"error": f"bad config from parent: {exc}"})
        return 2
    now = datetime.fromisoformat(args.now)
    clock.follow(now)  # a simulated clock carries into every timestamp the crawl writes
    try:
        stats = CHILD_JOBS[args.job](config, args.db, now, args.run_id)
    except Exception as exc:  # the parent records it; the traceback goes to the log
        logging.getLogger(__name__).exception("job %s failed", args.job)
        _emit({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    _emit(stats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
