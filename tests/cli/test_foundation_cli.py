"""The CLI contract of the foundation: init, db upgrade, status, mentions, and clean failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import record_mentions
from scheduler.cli import cli
from tests.storage.test_mentions import NOW, _mention


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a user would."""
    exe = Path(sys.executable).with_name("mediamon")
    full_env = {**os.environ, **env}
    full_env.pop("MEDIAMON_CONFIG", None)
    full_env.pop("MEDIAMON_DATABASE_URL", None)
    full_env.update(env)
    return subprocess.run(
        [str(exe), *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=120
    )


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "db", "status", "mentions"):
        assert command in result.output


def test_fresh_cycle_init_upgrade_status_mentions(tmp_path: Path) -> None:
    assert run(["init", "x.toml"], tmp_path).returncode == 0
    upgraded = run(["--config", "x.toml", "db", "upgrade"], tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "migrated from empty" in upgraded.stdout
    status = run(["--config", "x.toml", "status"], tmp_path)
    assert status.returncode == 0, status.stderr
    assert "Daily Planet" in status.stdout
    listed = run(["--config", "x.toml", "mentions", "--format", "json"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == ""
    assert (tmp_path / "mediamon.db").exists()


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text("keep me")
    result = run(["init", "x.toml"], tmp_path)
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert (tmp_path / "x.toml").read_text() == "keep me"


def test_missing_config_exit_2_without_traceback(tmp_path: Path) -> None:
    result = run(["status"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mediamon: mediamon.toml: config file not found; create one with `mediamon init "
        "mediamon.toml`"
    )


def test_bad_config_exit_2(tmp_path: Path) -> None:
    (tmp_path / "mediamon.toml").write_text('[organisation]\nname = "X"\ntimezone = "Nope/No"\n')
    result = run(["status"], tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "organisation.timezone: unknown timezone" in result.stderr


def test_database_unreachable_one_line_password_masked(tmp_path: Path) -> None:
    run(["init", "mediamon.toml"], tmp_path)
    result = run(["--db", "postgresql://me:hunter2@127.0.0.1:9/nowhere", "status"], tmp_path)
    assert result.returncode == 3
    assert "hunter2" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("mediamon: cannot connect to database postgresql+psycopg://me:***")


def test_status_before_upgrade_says_what_to_do(tmp_path: Path) -> None:
    run(["init", "mediamon.toml"], tmp_path)
    result = run(["status"], tmp_path)
    assert result.returncode == 2  # no database file yet: README, "Exit codes"
    assert "run `mediamon db upgrade` first" in result.stderr


@pytest.mark.postgres
def test_db_upgrade_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    run(["init", "mediamon.toml"], tmp_path)
    result = run(["--db", postgres_url, "db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    again = run(["--db", postgres_url, "db", "upgrade"], tmp_path)
    assert "up to date" in again.stdout


def test_mentions_json_csv_and_filters(tmp_path: Path) -> None:
    (tmp_path / "mediamon.toml").write_text(
        '[organisation]\nname = "Orbis"\ntimezone = "Europe/Zurich"\n'
    )
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["--config", str(tmp_path / "mediamon.toml"), "db", "upgrade"]).exit_code
        == 0
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'mediamon.db'}")
    with session_scope(engine) as s:
        record_mentions(
            s, [_mention(1, queries=("org",), terms=("Orbis",), snippet="Orbis said")], NOW
        )
    engine.dispose()
    base = ["--config", str(tmp_path / "mediamon.toml"), "mentions"]
    out = runner.invoke(cli, [*base, "--format", "json"])
    assert out.exit_code == 0, out.output
    record = json.loads(out.output.splitlines()[0])
    for field in (
        "url",
        "kind",
        "title",
        "site",
        "published_at",
        "first_seen_at",
        "target",
        "queries",
        "terms",
        "snippet",
    ):
        assert field in record
    assert record["queries"] == ["org"]
    csv_out = runner.invoke(cli, [*base, "--format", "csv"])
    assert csv_out.output.splitlines()[0].startswith("first_seen_at,kind,url")
    assert len(csv_out.output.splitlines()) == 2
    # The CSV holds every field of the JSON form (#18: it used to lack context and story).
    header = csv_out.output.splitlines()[0].split(",")
    json_out = runner.invoke(cli, [*base, "--format", "json"])
    assert set(header) == set(json.loads(json_out.output.splitlines()[0]))
    assert runner.invoke(cli, [*base, "--format", "json", "--since", "2026-11-03"]).output == ""
    assert runner.invoke(cli, [*base, "--format", "json", "--kind", "pingback"]).output == ""
    assert (
        len(
            runner.invoke(
                cli, [*base, "--format", "json", "--until", "2026-11-02"]
            ).output.splitlines()
        )
        == 1
    )
    table = runner.invoke(cli, base)
    assert "Article 1" in table.output
    bad = runner.invoke(cli, [*base, "--since", "yesterday"])
    assert bad.exit_code == 2
    assert "not a date" in bad.output


def test_a_read_command_never_creates_a_missing_sqlite_file(tmp_path: Path) -> None:
    run(["init", "mediamon.toml"], tmp_path)
    result = run(["status"], tmp_path)
    assert result.returncode == 2  # README, "Exit codes"
    assert "no database at" in result.stderr
    assert not (tmp_path / "mediamon.db").exists()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://user:secret@db.example/mm", "unsupported database 'mysql'"),
        ("oracle://user:secret@db.example/mm", "unsupported database 'oracle'"),
        ("postgresql+asyncpg://user:secret@db.example/mm", "driver is not installed"),
    ],
)
def test_an_unusable_database_url_is_one_line(tmp_path: Path, url: str, says: str) -> None:
    run(["init", "mediamon.toml"], tmp_path)
    result = run(["--db", url, "status"], tmp_path)
    assert result.returncode == 2  # a database mediamon cannot use: a config error
    assert says in result.stderr
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
