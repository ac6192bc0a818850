"""Entry point of a crawl child process: ``python -m scheduler.child JOB --db URL [--now ISO]``.

This is the only way a run goes to another process (``scheduler.runner`` starts it): the
scheduler's jobs, ``mediamon linkbacks`` with several jobs, the tests and the benchmarks all
take this path. The parent sends the config it trusts (its last good one) as JSON on stdin,
so a config file edited into an invalid state while the daemon runs cannot break the crawls
it starts; an ``options`` object beside it carries the run's keyword arguments (``all_sources``,
``post_urls``, Scrapy ``settings`` overrides ...). The child prints one JSON line on stdout:
the report's counters, exit status and error, and the whole report under ``"report"``; it
exits non-zero on failure. With ``--run-id`` the parent owns that ``crawl_runs`` row and
finishes it (``crawler.runs.record``); with ``--now`` every timestamp the crawl writes follows
that (simulated) clock.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from crawler.config import Config, ConfigError, parse_config
from crawler.storage.db import engine_for

if TYPE_CHECKING:
    from crawler.runs.crawl import Kind
from crawler.runs import UnknownSource


class ChildReport(Protocol):
    exit_status: int

    def as_stats(self) -> dict[str, Any]: ...

    def to_json(self) -> dict[str, Any]: ...


JobFunction = Callable[..., ChildReport]
"""(config, database URL, now=..., run_id=..., **options) -> the run's report."""


def _crawl_run(kind: Kind, targets_option: str) -> JobFunction:
    """A crawl job: ``run_crawl`` of ``kind``, its targets from option ``targets_option``."""

    def job(config: Config, db_url: str, **kwargs: Any) -> ChildReport:
        from crawler.runs.crawl import run_crawl

        targets = kwargs.pop(targets_option, ())
        with engine_for(db_url) as engine:
            return run_crawl(kind, config, engine, targets=targets, **kwargs)

    return job


def _recheck(config: Config, db_url: str, **kwargs: Any) -> ChildReport:
    from crawler.runs.linkbacks import run_recheck

    return run_recheck(config, db_url, **kwargs)


def _verify(config: Config, db_url: str, **kwargs: Any) -> ChildReport:
    from crawler.runs.linkbacks import run_verify

    return run_verify(config, db_url, **kwargs)


def _adhoc(config: Config, db_url: str, **kwargs: Any) -> ChildReport:
    """A queued ``mediamon crawl URL...`` (#19): its URLs, hops, queries and mention kind."""
    from crawler.domain import MentionKind
    from crawler.runs.site import run_adhoc_crawl

    return run_adhoc_crawl(
        config,
        db_url,
        list(kwargs.pop("urls", ())),
        depth=int(kwargs.pop("depth", 0)),
        queries=kwargs.pop("queries", None) or None,
        kind=MentionKind(kwargs.pop("mention_kind", MentionKind.PRESS.value)),
        **kwargs,
    )


def _posts(config: Config, db_url: str, **kwargs: Any) -> ChildReport:
    from crawler.runs.posts import run_posts_sync

    return run_posts_sync(config, db_url, **kwargs)


CHILD_JOBS: dict[str, JobFunction] = {
    "poll": _crawl_run("poll", "source_names"),
    "crawl": _crawl_run("site", "source_names"),
    "adhoc": _adhoc,
    "harvest": _crawl_run("harvest", "post_urls"),
    "verify": _verify,
    "recheck": _recheck,
    "posts": _posts,
}


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _emit(stats: dict[str, Any]) -> None:
    """The one line the parent reads (stdout carries nothing else)."""
    sys.stdout.write(json.dumps(stats, default=str) + "\n")
    sys.stdout.flush()


def _read_stdin() -> tuple[Config, dict[str, Any]]:
    data = json.loads(sys.stdin.read() or "{}")
    if not isinstance(data, dict):
        raise ConfigError("expected a JSON object")
    options = data.pop("options", None) or {}
    if not isinstance(options, dict):
        raise ConfigError("options: expected a JSON object")
    config = parse_config(data, path=data.pop("path", "") or "mediamon.toml")
    return config, options


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler.child")
    parser.add_argument("job", choices=sorted(CHILD_JOBS))
    parser.add_argument("--db", required=True)
    parser.add_argument("--now", default=None, help="the (simulated) time the run believes")
    parser.add_argument("--run-id", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format=LOG_FORMAT)
    # Scrapy resets the root logger's level when a crawl starts; the handler's level holds.
    for handler in logging.root.handlers:
        handler.setLevel(logging.WARNING)
    try:
        config, options = _read_stdin()
    except (ConfigError, json.JSONDecodeError) as exc:
        _emit({"exit_status": 2, "error": f"bad config from parent: {exc}"})
        return 2
    for name in ("now", "since"):
        if options.get(name) is not None:
            options[name] = datetime.fromisoformat(str(options[name]))
    if args.now is not None:
        # The run starts its own clock at this moment: every timestamp it writes follows it.
        options["now"] = datetime.fromisoformat(args.now)
    try:
        report = CHILD_JOBS[args.job](config, args.db, run_id=args.run_id, **options)
    except UnknownSource as exc:  # a usage error: one line, never a crawl error (#18)
        _emit({"exit_status": 2, "error": str(exc)})
        return 2
    except Exception as exc:  # the parent records it; the traceback goes to the log
        logging.getLogger(__name__).exception("job %s failed", args.job)
        _emit({"exit_status": 1, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    _emit({**report.as_stats(), "report": report.to_json()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
