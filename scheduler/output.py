"""Human and machine output. Functions take the console or stream to write to; none creates
one, so tests can capture exactly what a user would see."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO

from rich.console import Console
from rich.table import Table

from crawler.storage.mentions import MentionView
from crawler.storage.models import CrawlRunRow
from crawler.storage.sources import SourceState

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
    "status",
    "found_via",
)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


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
    table = Table(title="Sources")
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
    table = Table(title="Jobs")
    for column in ("job", "what", "next run", "last run", "result"):
        table.add_column(column, overflow="fold")
    for job_id, title in jobs:
        last = last_runs.get(job_id)
        if last is None:
            result = "never ran"
        elif last.exit_status is None:
            result = "running"
        elif last.exit_status == 0:
            result = "ok"
        else:
            result = f"failed: {last.error[:80]}"
        next_run = next_runs.get(job_id)
        shown = _when(next_run) if job_id in next_runs else "(daemon not started)"
        table.add_row(job_id, title, shown, _when(last.started_at if last else None), result)
    console.print(table)


def print_runs(runs: Sequence[CrawlRunRow], console: Console) -> None:
    if not runs:
        console.print("No runs yet.")
        return
    table = Table(title="Recent runs")
    for column in ("job", "started", "finished", "exit", "stats / error"):
        table.add_column(column, overflow="fold")
    for r in runs:
        stats = r.error or ", ".join(f"{k}={v}" for k, v in sorted((r.stats or {}).items()))
        exit_status = "running" if r.exit_status is None else str(r.exit_status)
        table.add_row(r.job, _when(r.started_at), _when(r.finished_at), exit_status, stats[:120])
    console.print(table)
