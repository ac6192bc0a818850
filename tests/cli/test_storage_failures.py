"""Database failures a user can cause end in one line and exit 3, never a traceback (#18):
a read-only database (its file and directory not writable: under root, where permissions do
not bind, the same SQLite error comes from opening it read-only), a full disk (SQLite's
``max_page_count`` set to the pages the file has: the same "database or disk is full" a full
disk gives, without filling one), and the database file deleted between two runs."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event
from sqlalchemy.engine import Engine

from scheduler.cli import cli


def mediamon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("mediamon")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIAMON_")}
    return subprocess.run(
        [str(exe), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def config_with(path: Path, sources: int) -> Path:
    """A config whose sources are on hosts that never resolve (nothing is fetched here)."""
    lines = ['[organisation]\nname = "Orbis Union"\ntimezone = "Europe/Zurich"\n']
    for n in range(sources):
        lines.append(
            f'[[sources]]\nname = "Source {n:04d} with a long name to take up room"\n'
            f'url = "https://paper-{n:04d}.invalid/feed/with/a/long/path/{n}"\nkind = "press"\n'
        )
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def upgraded(tmp_path: Path) -> tuple[Path, Path]:
    config = config_with(tmp_path / "mediamon.toml", 2)
    done = mediamon("--config", str(config), "db", "upgrade", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return config, tmp_path / "mediamon.db"


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_read_only_database_is_one_line(upgraded: tuple[Path, Path]) -> None:
    config, db = upgraded
    config_with(config, 40)  # new sources to register: the command must write
    if os.geteuid() == 0:  # root writes whatever the mode bits say: open it read-only instead
        url = f"sqlite:///file:{db}?mode=ro&uri=true"
    else:
        db.chmod(stat.S_IRUSR)
        db.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
        url = f"sqlite:///{db}"
    try:
        done = mediamon("--config", str(config), "--db", url, "status", cwd=db.parent.parent)
    finally:
        db.parent.chmod(stat.S_IRWXU)
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert done.returncode == 3, done.stderr
    assert one_line(done.stderr).startswith("mediamon: the database is read-only")


@pytest.fixture
def full_disk() -> Iterator[None]:
    """Every SQLite connection of this process may not grow its file: a full disk."""

    def no_room(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        cursor.close()

    event.listen(Engine, "connect", no_room)
    yield
    event.remove(Engine, "connect", no_room)


@pytest.mark.usefixtures("full_disk")
def test_a_full_disk_is_one_line(upgraded: tuple[Path, Path]) -> None:
    config, db = upgraded
    config_with(config, 400)  # 400 sources to register: far more than the free pages hold
    result = CliRunner().invoke(cli, ["--config", str(config), "status"])
    assert result.exit_code == 3, result.output
    assert result.output.strip() == (
        "mediamon: the disk holding the database is full: free some space, then run the "
        "command again (nothing half-written was kept)"
    )
    assert db.exists()


def test_a_database_deleted_between_two_runs_is_one_line(upgraded: tuple[Path, Path]) -> None:
    config, db = upgraded
    db.unlink()
    done = mediamon("--config", str(config), "poll", cwd=db.parent)
    assert done.returncode != 0
    assert "run `mediamon db upgrade` first" in one_line(done.stderr)
    assert not db.exists()  # a command that reads never creates it
