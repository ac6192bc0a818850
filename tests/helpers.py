"""Small builders shared by tests."""

from __future__ import annotations

from pathlib import Path

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
