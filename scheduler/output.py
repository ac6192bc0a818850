"""Human and machine output. Functions take the console or stream to write to; none creates
one, so tests can capture exactly what a user would see.

``--format table|json`` is one option for every command that prints a table (#18 item 7):
people read the table (it folds at 80 columns and in a pipe); scripts read ``--format json``,
one JSON document on stdout (JSON lines where a command streams finds: ``crawl``,
``mentions``, ``queue dead``). The older ``--json`` flags stay as aliases. In JSON mode hints
and notes go to stderr, so stdout is only JSON.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import IO, Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from crawler.storage.mentions import MentionView
from crawler.storage.models import CrawlRunRow
from crawler.storage.sources import SourceState

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json")


def format_option(
    *, json_help: str = "Same as --format json.", extra: tuple[str, ...] = ()
) -> Callable[[F], F]:
    """Add ``--format table|json`` (parameter ``fmt``; ``extra`` formats after those, e.g.
    ``csv``) and its alias ``--json`` (parameter ``as_json``); read the pair with
    ``wants_json``."""

    def decorate(f: F) -> F:
        f = click.option(
            "--format",
            "fmt",
            type=click.Choice([*FORMATS, *extra]),
            default="table",
            show_default=True,
            help="table for people, json for scripts.",
        )(f)
        return click.option("--json", "as_json", is_flag=True, help=json_help)(f)

    return decorate


def wants_json(fmt: str, as_json: bool) -> bool:
    """Whether the command prints JSON: ``--format json`` or the ``--json`` alias."""
    return as_json or fmt == "json"


def echo_json(data: object) -> None:
    """One JSON document on stdout (dates as ISO strings, text as is)."""
    click.echo(json.dumps(data, default=_plain, ensure_ascii=False))


def _plain(value: object) -> object:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    return str(value)


CSV_FIELDS = (
    "first_seen_at",
    "kind",
    "url",
    "title",
    "site",
    "author",
    "published_at",
    "target",
    "queries",
    "terms",
    "snippet",
    "note",
    "context",
    "status",
    "found_via",
    "story",
)
"""Every field of ``--format json`` (README: "the same as CSV"), ``queries`` and ``terms``
joined with ``;``."""


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


#: What each exit status means (README, "Exit codes"); the child runner adds 124 and 128+N.
RESULTS = {
    0: "ok",
    1: "done, some sources failed",
    2: "usage or config error",
    3: "nothing could be done",
    124: "timed out",
    130: "interrupted",
}


def run_result(exit_status: int | None) -> str:
    """The exit status of a run in words: the same words for `status` and `status --json`."""
    if exit_status is None:
        return "running (or killed)"
    if exit_status in RESULTS:
        return RESULTS[exit_status]
    if exit_status > 128:
        return f"killed by signal {exit_status - 128}"
    return "failed"


#: Machine labels some failures are stored under, and what they mean to a person.
_HUMAN = {
    "parse error: html? (no feed or sitemap found)": (
        "the address is a web page, and no feed or sitemap was found on its site"
    ),
    "parse error: html?": "the address is a web page, not a feed",
    "DNS error": "the host name does not resolve (typo, or the site is gone)",
    "connection refused": "nothing answers at that address",
    "timeout": "no answer in time",
    "too many redirects": "the address redirects in a loop",
    "body too large (aborted)": "the answer was larger than crawl.max_body_bytes",
}


def human_reason(status: str, error: str) -> str:
    """A failure's reason for people: "" when it only repeats the status ("HTTP 404 │ HTTP
    404"), the meaning of a known machine label, else the error's first line."""
    first = error.strip().splitlines()[0] if error.strip() else ""
    if not first or first == status:
        return _HUMAN.get(first, "")
    return _HUMAN.get(first, first)


_STAT_LABELS = {
    "sources": "sources",
    "fetched": "fetched",
    "not_modified": "not modified",
    "unchanged": "unchanged",
    "errors": "errors",
    "new_entries": "new entries",
    "articles": "articles read",
    "article_errors": "articles failed",
    "posts": "posts",
    "shared": "shared fetches",
    "mentions": "new mentions",
    "pages": "pages",
    "linkbacks": "linkbacks",
    "new": "new",
    "sources_checked": "sources checked",
    "checked": "checked",
    "verified": "verified",
    "rejected": "rejected",
    "sent": "sent",
    "queued": "queued",
    "already_queued": "already queued",
}


def stats_line(stats: dict[str, object]) -> str:
    """A run's counters as words ("12 sources · 3 fetched · 1 errors"), the known ones in a
    fixed order and zeros left out: not raw ``key=value`` cut mid-word."""
    parts = []
    for key, label in _STAT_LABELS.items():
        value = stats.get(key)
        if isinstance(value, int) and value:
            parts.append(f"{value} {label}")
    return " · ".join(parts) or "nothing to do"


def write_mentions_json(mentions: Iterable[MentionView], out: IO[str]) -> int:
    count = 0
    for m in mentions:
        out.write(json.dumps(m.as_json(), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_mentions_csv(mentions: Iterable[MentionView], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for m in mentions:
        row = m.as_json()
        row["queries"] = ";".join(m.queries)
        row["terms"] = ";".join(m.terms)
        writer.writerow(row)
        count += 1
    return count


def print_mentions_table(mentions: Sequence[MentionView], console: Console) -> None:
    if not mentions:
        console.print("No mentions in that range.")
        return
    table = Table(title=f"{len(mentions)} mentions", show_lines=False)
    for column in ("first seen", "kind", "title", "site", "target / terms"):
        table.add_column(column, overflow="fold")
    for m in mentions:
        detail = m.target_title or m.target or ", ".join(m.terms)
        table.add_row(_when(m.first_seen_at), m.kind.value, m.title or m.url, m.site, detail)
    console.print(table)


def print_sources(sources: Sequence[SourceState], console: Console) -> None:
    """Every source with its health; dead and disabled ones are listed, never hidden."""
    if not sources:
        console.print("No sources yet: add [[sources]] to the config and run a poll.")
        return
    table = Table(title="Sources (times in UTC)")
    for column in ("name", "type", "health", "last status", "checked", "next check", "error"):
        table.add_column(column, overflow="fold")
    for s in sources:
        health = s.health if not s.disabled_reason else f"disabled: {s.disabled_reason}"
        name = s.name
        if s.url != s.configured_url:
            name += f"\n→ {s.url}"
        if s.discovered:
            name += "\n" + "\n".join(f"found: {url}" for url in s.discovered[:3])
        table.add_row(
            name,
            s.type,
            health,
            str(s.last_status) if s.last_status is not None else "—",
            _when(s.checked_at),
            _when(s.next_check_at),
            (s.last_error or "")[:80],
        )
    console.print(table)


def print_jobs(
    jobs: Sequence[tuple[str, str]],
    next_runs: dict[str, datetime | None],
    last_runs: dict[str, CrawlRunRow],
    console: Console,
) -> None:
    """Each scheduled job: when it runs next (per the daemon's job store) and how it last did."""
    table = Table(title="Jobs (times in UTC)")
    for column in ("job", "what", "next run", "last run", "result"):
        table.add_column(column, overflow="fold")
    for job_id, title in jobs:
        last = last_runs.get(job_id)
        if last is None:
            result = "never ran"
        elif last.exit_status in (None, 0):
            result = run_result(last.exit_status)
        else:
            result = f"{run_result(last.exit_status)}: {last.error[:80]}"
        next_run = next_runs.get(job_id)
        shown = _when(next_run) if job_id in next_runs else "(daemon not started)"
        table.add_row(job_id, title, shown, _when(last.started_at if last else None), result)
    console.print(table)


def print_runs(runs: Sequence[CrawlRunRow], console: Console) -> None:
    if not runs:
        console.print("No runs yet.")
        return
    table = Table(title="Recent runs (times in UTC)")
    for column in ("job", "started", "exit", "result"):
        table.add_column(column, overflow="fold")
    for r in runs:
        exit_status = "—" if r.exit_status is None else str(r.exit_status)
        result = run_result(r.exit_status)
        detail = r.error or stats_line(dict(r.stats or {}))
        table.add_row(r.job, _when(r.started_at), exit_status, f"{result}: {detail[:160]}")
    console.print(table)


def status_json(
    sources: Sequence[SourceState],
    last_runs: dict[str, CrawlRunRow],
    runs: Sequence[CrawlRunRow],
) -> dict[str, object]:
    """What `status --json` prints: the sources, each job's last run and the recent runs,
    with exit statuses as stored in ``crawl_runs`` and the same result words as the table."""

    def run(r: CrawlRunRow) -> dict[str, object]:
        return {
            "id": r.id,
            "job": r.job,
            "started_at": r.started_at.isoformat(),
            "finished_at": r.finished_at.isoformat() if r.finished_at else None,
            "exit_status": r.exit_status,
            "result": run_result(r.exit_status),
            "error": r.error,
            "stats": r.stats or {},
        }

    return {
        "sources": [
            {
                "name": s.name,
                "type": s.type,
                "url": s.url,
                "health": s.health,
                "last_status": s.last_status,
                "last_error": s.last_error,
                "checked_at": s.checked_at.isoformat() if s.checked_at else None,
                "next_check_at": s.next_check_at.isoformat() if s.next_check_at else None,
                "disabled_reason": s.disabled_reason,
            }
            for s in sources
        ],
        "jobs": {job: run(r) for job, r in sorted(last_runs.items())},
        "runs": [run(r) for r in runs],
    }
