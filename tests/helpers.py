"""Small builders shared by tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
