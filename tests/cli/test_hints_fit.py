"""Commands named in hints are never split (#18 finding 9: rich wrapped "`mediamon --config
mediamon.toml db` / `upgrade`"). The installed script runs at 80 and 40 columns, through a
pipe (``COLUMNS``) and on a real pseudo-terminal of that size; every command it suggests
must reach the user whole, on one line, ready to copy."""

from __future__ import annotations

import fcntl
import io
import os
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text

from scheduler.hints import print_hint
from tests.helpers import write_config

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NO_SOURCES = """
[organisation]
name = "Orbis Union"
timezone = "Europe/Zurich"

[[queries]]
name = "org"
query = '"Orbis Union"'
"""


def _exe() -> str:
    return str(Path(sys.executable).with_name("mediamon"))


def _env(columns: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIAMON_")}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return env


def _piped(args: list[str], cwd: Path, columns: int) -> str:
    done = subprocess.run(
        [_exe(), *args], cwd=cwd, capture_output=True, text=True, env=_env(columns), timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _on_a_terminal(args: list[str], cwd: Path, columns: int) -> str:
    """Run on a pseudo-terminal ``columns`` wide (no COLUMNS: rich asks the terminal)."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**_env(None), "TERM": "xterm"}
    proc = subprocess.Popen(
        [_exe(), *args], cwd=cwd, stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    return ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r\n", "\n")


def _whole_line(out: str, command: str) -> None:
    lines = [line.rstrip() for line in out.splitlines()]
    assert f"  {command}" in lines, out


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 40])
@pytest.mark.parametrize("where", ["pipe", "terminal"])
def test_init_and_poll_hints_keep_their_commands_whole(
    tmp_path: Path, columns: int, where: str
) -> None:
    run = _piped if where == "pipe" else _on_a_terminal
    target = tmp_path / "a-rather-long-directory-name" / "mediamon.toml"
    out = run(["init", str(target)], tmp_path, columns)
    _whole_line(out, f"mediamon --config {target} db upgrade")

    config = write_config(tmp_path, NO_SOURCES, "empty.toml")
    db = f"sqlite:///{tmp_path / 'm.db'}"
    run(["--config", str(config), "--db", db, "db", "upgrade"], tmp_path, columns)
    out = run(["--config", str(config), "--db", db, "poll"], tmp_path, columns)
    assert "No source is due" in out
    _whole_line(out, "mediamon poll --all")


@pytest.mark.parametrize("columns", [80, 40, 20])
def test_a_hint_prints_its_message_wrapped_and_each_command_whole(columns: int) -> None:
    console = Console(file=io.StringIO(), width=columns, force_terminal=False)
    command = "mediamon --config /etc/mediamon/mediamon.toml alerts outbox --failed"
    print_hint(console, Text("3 alert(s) failed after their retries:", style="red"), command)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert out.splitlines()[-1] == f"  {command}"
    assert all(len(line) <= columns for line in out.splitlines()[:-1])
