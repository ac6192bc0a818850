"""`mediamon poll` end to end (in a subprocess: the crawl runs Scrapy in the CLI's own
process, and a reactor cannot start twice in the pytest process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from crawler.feeds.report import PollReport, SourceReport
from sampleweb.server.router import SampleWeb
from scheduler.cmd_poll import print_poll_report
from tests.feeds.conftest import world_sources, write_config

CLI = (
    "import sys; from scheduler.cli import cli; from scheduler.cmd_poll import poll\n"
    "if 'poll' not in cli.commands: cli.add_command(poll)\n"
    "cli(sys.argv[1:], prog_name='mediamon')"
)


def mediamon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_poll_command_twice(web: SampleWeb, tmp_path: Path) -> None:
    sources = [*world_sources(web)[:3], ("dns", "http://nonexistent.invalid/rss", "press")]
    config = write_config(tmp_path / "mediamon.toml", web, sources)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    base = ("--config", str(config), "--db", db)
    upgraded = mediamon(*base, "db", "upgrade", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    first = mediamon(*base, "poll", cwd=tmp_path)
    assert first.returncode == 1, first.stderr  # done, one source failing (#18)
    assert "mediamon: 1 of 5 sources failed: dns" in first.stderr
    assert "fetched" in first.stdout
    assert "Problems" in first.stdout
    assert "DNS error" in first.stdout
    second = mediamon(*base, "poll", "--all", "-v", cwd=tmp_path)
    assert second.returncode == 1, second.stderr
    assert "HTTP 304" in second.stdout
    machine = mediamon(*base, "poll", "--all", "--json", cwd=tmp_path)
    assert machine.returncode == 1, machine.stderr
    report = json.loads(machine.stdout)
    assert (report["exit_status"], report["error"]) == (1, "1 of 5 sources failed: dns")
    assert {line["name"]: line["outcome"] for line in report["lines"]}["dns"] == "failed"
    none_due = mediamon(*base, "poll", cwd=tmp_path)
    assert "No source is due" in none_due.stdout
    unknown = mediamon(*base, "poll", "--source", "Nope", cwd=tmp_path)
    assert unknown.returncode == 2
    assert unknown.stderr == "mediamon: unknown source: Nope\n"
    status = mediamon(*base, "status", cwd=tmp_path)
    assert status.returncode == 0
    assert "DNS error" in status.stdout
    assert "key=" not in status.stdout
    # The same exit statuses in crawl_runs and `status --json`; the typo is no run (#18).
    machine = mediamon(*base, "status", "--json", cwd=tmp_path)
    assert machine.returncode == 0, machine.stderr
    data = json.loads(machine.stdout)
    polls = [r for r in data["runs"] if r["job"] == "poll"]
    assert [r["exit_status"] for r in polls] == [1, 1, 1]  # poll, poll --all, poll --json
    assert {r["result"] for r in polls} == {"done, some sources failed"}
    assert all(r["error"] == "1 of 5 sources failed: dns" for r in polls)
    assert data["jobs"]["poll"]["exit_status"] == 1
    assert {s["name"]: s["last_error"] for s in data["sources"]}["dns"] == "DNS error"


def test_problems_never_repeat_the_status_and_read_as_reasons() -> None:
    console = Console(record=True, width=80)
    report = PollReport(sources=2, errors=2)
    report.lines = [
        SourceReport("Gone", "failed", "HTTP 404", 0, "HTTP 404"),
        SourceReport(
            "Page", "failed", "HTTP 200", 0, "parse error: html? (no feed or sitemap found)"
        ),
    ]
    print_poll_report(report, console)
    out = console.export_text()
    assert out.count("HTTP 404") == 1
    assert "html?" not in out
    assert "the address is a web page" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_report_table() -> None:
    console = Console(record=True, width=120)
    report = PollReport(sources=3, fetched=1, not_modified=1, errors=1, new_entries=7)
    report.lines = [
        SourceReport("A", "fetched", "HTTP 200", 7),
        SourceReport("B", "failed", "DNS error", 0, "DNS error"),
    ]
    print_poll_report(report, console)
    out = console.export_text()
    assert "not modified" in out
    assert "Problems" in out
    assert "DNS error" in out
    assert "HTTP 200" not in out  # only problems without -v
    print_poll_report(report, console, verbose=True)
    assert "HTTP 200" in console.export_text()
