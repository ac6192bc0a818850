"""`mediamon demo --dir DIR` is idempotent (#18): run twice in the same directory it resets
the previous demo and finds the same counts (the sample web's new port would otherwise make
every URL new); a directory holding anything else is refused with a one-line error; after
the demo, the commands it suggests return results against the demo database."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

CLI = "import sys; from scheduler.cli import main; sys.argv[0] = 'mediamon'; main()"


def mediamon(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=cwd,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def found_table(stdout: str) -> list[tuple[str, ...]]:
    """The rows of the "found vs ground truth" table: (kind, found, expected)."""
    rows = []
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 3 and cells[1].isdigit():
            rows.append(tuple(cells))
    return rows


def test_a_directory_with_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    done = mediamon("demo", "--dir", str(tmp_path), cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("mediamon: ")
    assert "is not empty and not a previous demo (notes.txt)" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
@pytest.mark.timeout(900)  # two whole demos and three commands on a loaded machine
def test_demo_twice_in_one_directory_gives_the_same_counts(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    first = mediamon("demo", "--dir", str(target), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = mediamon("demo", "--dir", str(target), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "Resetting the previous demo" in second.stdout
    assert "Traceback" not in second.stderr
    assert found_table(first.stdout)
    assert found_table(second.stdout) == found_table(first.stdout)
    assert f"Digest: {target / 'digest'}" in second.stdout
    commands = [
        line.strip() for line in second.stdout.splitlines() if line.strip().startswith("mediamon ")
    ]
    assert len(commands) == 3
    for command in commands:
        done = mediamon(*shlex.split(command)[1:], cwd=tmp_path, timeout=120)
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout.strip(), command
        assert "No mentions in that range" not in done.stdout, command
        assert not re.search(r"Traceback", done.stderr)
