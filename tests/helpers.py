"""Small builders shared by tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sampleweb import SampleWeb

#: The CLI as a user runs it, from a fresh interpreter.
CLI = "import sys; from scheduler.cli import cli\ncli(sys.argv[1:], prog_name='mediamon')"


def run_mediamon(
    *args: str, cwd: Path, columns: int = 80, timeout: float = 300, program: str = CLI
) -> subprocess.CompletedProcess[str]:
    """Run ``mediamon ARGS`` in its own process to the end, at ``columns`` wide."""
    return subprocess.run(
        [sys.executable, "-c", program, *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": str(columns)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


MINIMAL_CONFIG = """
[organisation]
name = "Orbis Union"
timezone = "Europe/Zurich"

[[queries]]
name = "org"
query = '"Orbis Union"'

[[sources]]
name = "Daily Planet"
url = "https://dailyplanet.example/rss"
kind = "press"
weight = 3
"""


def write_config(directory: Path, text: str = MINIMAL_CONFIG, name: str = "mediamon.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def in_child(
    job: str, config_path: str | Path, db_url: str, *, timeout: float, **options: Any
) -> Any:
    """Run ``job`` the way the scheduler does: in a ``scheduler.child`` process with a time
    limit, recorded in ``crawl_runs``; returns the job's report."""
    from crawler.config import load_config
    from scheduler.runner import run_in_child

    return run_in_child(job, load_config(config_path), db_url, time_limit=timeout, **options)


def write_local_config(web: SampleWeb, path: Path) -> Path:
    """The sample web's own config for ``web`` (what ``python -m sampleweb --config-out``
    writes), with the pace per host off, as the demo and the feed tests have it.

    The default pace (one request a second per host) is what a real site is owed; every
    host of the sample web is this machine, and with the pace a poll of the small world
    waits about 30 s for about 4 s of work (#13). Nothing a test asserts depends on it.
    """
    web.write_config(path)
    text = path.read_text(encoding="utf-8")
    assert "[crawl]\n" in text
    assert "download_delay" not in text
    path.write_text(text.replace("[crawl]\n", "[crawl]\ndownload_delay = 0\n", 1), encoding="utf-8")
    return path
