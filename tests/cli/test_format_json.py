"""`--format table|json` on every command that prints a table (#18 item 7): scripts get one
JSON document (JSON lines where finds stream) on stdout and nothing else there, the older
`--json` flags are aliases, and the tables fold within 80 columns in a pipe."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import record_mentions
from crawler.storage.migrate import upgrade
from scheduler.cli import cli
from tests.helpers import write_config

NO_SOURCES = """
[organisation]
name = "Orbis Union"
timezone = "Europe/Zurich"

[[queries]]
name = "org"
query = '"Orbis Union"'
"""

#: Every command that prints a table, as its words on the command line.
TABLE_COMMANDS = [
    ("mentions",),
    ("linkbacks",),
    ("sources", "import"),
    ("crawl",),
    ("run",),
    ("digest",),
    ("alerts", "list"),
    ("alerts", "outbox"),
    ("websub", "list"),
    ("queue", "dead"),
    ("posts", "sync"),
    ("poll",),
    ("status",),
]


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, str]:
    config = write_config(tmp_path, NO_SOURCES)
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    title = "The Orbis Union opens a rather long-named observatory on the far side " * 2
    mentions = [
        Mention(
            org="Orbis Union",
            document=Document(
                f"https://outlet-with-a-long-name.example/2026/11/02/story-{n}",
                f"https://outlet-with-a-long-name.example/2026/11/02/story-{n}",
                title=title,
            ),
            kind=MentionKind.PRESS,
            found_via=FoundVia.CRAWL,
        )
        for n in range(3)
    ]
    with session_scope(engine) as session:
        record_mentions(session, mentions, datetime(2026, 11, 2, 9, tzinfo=UTC))
    engine.dispose()
    return config, db_url


def _invoke(world: tuple[Path, str], *args: str) -> Result:
    config, db_url = world
    return CliRunner().invoke(
        cli, ["--config", str(config), "--db", db_url, *args], env={"COLUMNS": "80"}
    )


@pytest.mark.parametrize("words", TABLE_COMMANDS, ids=" ".join)
def test_every_table_command_offers_format_json_and_the_json_alias(
    words: tuple[str, ...],
) -> None:
    shown = CliRunner().invoke(cli, [*words, "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "--format [table|json" in shown.output
    assert "--json" in shown.output


def test_status_json_and_its_alias_are_one_object(world: tuple[Path, str]) -> None:
    as_format = json.loads(_invoke(world, "status", "--format", "json").stdout)
    as_alias = json.loads(_invoke(world, "status", "--json").stdout)
    assert set(as_format) == set(as_alias) >= {"sources", "jobs", "runs", "failed_alerts", "websub"}


def test_mentions_json_lines_and_a_table_that_fits_80_columns(world: tuple[Path, str]) -> None:
    lines = _invoke(world, "mentions", "--format", "json").stdout.splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["press"] * 3
    assert _invoke(world, "mentions", "--json").stdout.splitlines() == lines
    table = _invoke(world, "mentions").stdout
    assert "3 mentions" in table
    assert max(len(line) for line in table.splitlines()) <= 80  # folded, not cut or spilled


def test_alerts_and_digest_print_json_documents(world: tuple[Path, str]) -> None:
    assert json.loads(_invoke(world, "alerts", "list", "--format", "json").stdout) == {"rules": []}
    outbox = json.loads(_invoke(world, "alerts", "outbox", "--json").stdout)
    assert outbox == {"deliveries": []}
    digest = json.loads(_invoke(world, "digest", "--date", "2026-11-02", "--format", "json").stdout)
    assert digest["day"] == "2026-11-02"
    assert digest["total"] == 3


def test_in_json_mode_hints_go_to_stderr_and_stdout_stays_json(world: tuple[Path, str]) -> None:
    polled = _invoke(world, "poll", "--format", "json")
    assert polled.exit_code == 0, polled.output
    assert polled.stdout == ""
    assert "No source is due" in polled.stderr
    harvested = _invoke(world, "linkbacks", "--format", "json")
    assert harvested.exit_code == 0, harvested.output
    assert harvested.stdout == ""
    assert "No post is due" in harvested.stderr


def test_run_json_without_once_is_a_usage_error(world: tuple[Path, str]) -> None:
    result = _invoke(world, "run", "--format", "json")
    assert result.exit_code == 2
    assert "only make sense with --once" in result.stderr


def test_run_once_json_is_each_jobs_stats(world: tuple[Path, str]) -> None:
    result = _invoke(world, "run", "--once", "--job", "cleanup", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["failed"] == []
    assert data["jobs"]["cleanup"]["crawl_runs_deleted"] == 0
    table = _invoke(world, "run", "--once", "--job", "cleanup").stdout
    assert "run --once" in table
    assert "cleanup" in table
