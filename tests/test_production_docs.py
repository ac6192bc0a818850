"""The production section holds together (#18 finding 13): the README's edits of the starter
config put everything mediamon writes (the SQLite file, the digest archive) under the one
path the systemd units may write, and ``pyproject.toml`` declares its licence the way that
installs without the license-table deprecation warning; the service user's cache folder
(py3langid's model, #14) is writable under the units too."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path, PurePosixPath

import pytest

from crawler.config import cache_dir, load_config
from reports.archive import archive_dir

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted((ROOT / "docs" / "deploy").glob("*.service"))


def _readme_edits() -> list[tuple[str, str]]:
    """The ``sed -e 's|PATTERN|REPLACEMENT|'`` edits the README applies to the starter."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    edits = re.findall(r"-e 's\|(.+?)\|(.+?)\|'", readme)
    assert len(edits) >= 2, "the README's production set-up edits the starter config"
    return edits


def test_the_readme_puts_every_written_path_where_the_units_may_write(tmp_path: Path) -> None:
    text = resources.files("crawler").joinpath("starter.toml").read_text(encoding="utf-8")
    for pattern, replacement in _readme_edits():
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        assert count == 1, pattern  # each edit finds its line in today's starter
    config_path = tmp_path / "etc" / "mediamon.toml"
    config_path.parent.mkdir()
    config_path.write_text(text, encoding="utf-8")
    config = load_config(config_path)
    database = PurePosixPath(config.database.url.removeprefix("sqlite:///"))
    archive = PurePosixPath(archive_dir(config))
    assert UNITS
    for unit in UNITS:
        body = unit.read_text(encoding="utf-8")
        assert "ProtectSystem=strict" in body
        writable = re.findall(r"^ReadWritePaths=(.+)$", body, flags=re.MULTILINE)
        paths = [PurePosixPath(p) for line in writable for p in line.split()]
        for written in (database, archive):
            assert any(written.is_relative_to(p) for p in paths), (unit.name, written)


def test_the_cache_folder_of_the_service_user_is_writable_under_the_units(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """py3langid's model cache (#14) lands in the service user's home, which the units may
    write; else every crawl child would silently decompress the model again."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    home = re.search(r"useradd --system --home (\S+) .*mediamon", readme)
    assert home, "the README creates the service user with a home"
    monkeypatch.setenv("HOME", home.group(1))
    cache = PurePosixPath(cache_dir({}))  # the units set neither variable
    for unit in UNITS:
        body = unit.read_text(encoding="utf-8")
        assert "MEDIAMON_CACHE_DIR" not in body
        assert "XDG_CACHE_HOME" not in body
        writable = re.findall(r"^ReadWritePaths=(.+)$", body, flags=re.MULTILINE)
        paths = [PurePosixPath(p) for line in writable for p in line.split()]
        assert any(cache.is_relative_to(p) for p in paths), (unit.name, cache)


def test_the_licence_is_an_spdx_string_not_a_deprecated_table() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert isinstance(project["license"], str)
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))
