"""Several organisations in one database (#16): one config file per organisation, checked
together at load; commands name theirs with ``--org`` when more than one is loaded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.config import ConfigError, config_paths, load_configs
from scheduler.cli import cli
from tests.helpers import write_config


def _org(name: str, site: str = "", *, db: str = "", source: str = "") -> str:
    text = f'[organisation]\nname = "{name}"\n'
    if site:
        text += f'\n[[organisation.sites]]\nurl = "{site}"\n'
    if source:
        text += f'\n[[sources]]\nname = "wire"\nurl = "{source}"\n'
    if db:
        text += f'\n[database]\nurl = "{db}"\n'
    return text


def test_config_files_come_from_the_options_else_the_environment_list() -> None:
    env = {"MEDIAMON_CONFIG": os.pathsep.join(["a.toml", "", "b.toml"])}
    assert config_paths(["x.toml", "y.toml"], env) == [Path("x.toml"), Path("y.toml")]
    assert config_paths([], env) == [Path("a.toml"), Path("b.toml")]
    assert config_paths([], {}) == [Path("mediamon.toml")]


def test_two_organisations_load_and_may_watch_the_same_source(tmp_path: Path) -> None:
    a = write_config(
        tmp_path, _org("A", "https://a.example/", source="https://w.example/rss"), "a.toml"
    )
    b = write_config(
        tmp_path, _org("B", "https://b.example/", source="https://w.example/rss"), "b.toml"
    )
    configs = load_configs([a, b], env={})
    assert [c.organisation.name for c in configs] == ["A", "B"]


def test_a_site_claimed_by_two_organisations_names_both(tmp_path: Path) -> None:
    a = write_config(tmp_path, _org("A", "https://blog.example/"), "a.toml")
    b = write_config(tmp_path, _org("B", "http://www.blog.example"), "b.toml")
    with pytest.raises(ConfigError) as info:
        load_configs([a, b], env={})
    message = str(info.value)
    assert "b.toml: site http://www.blog.example is claimed by both organisation 'A'" in message
    assert "(a.toml) and 'B'" in message


def test_organisation_names_must_differ(tmp_path: Path) -> None:
    a = write_config(tmp_path, _org("A", "https://a.example/"), "a.toml")
    b = write_config(tmp_path, _org("A", "https://b.example/"), "b.toml")
    with pytest.raises(ConfigError, match=r"b.toml: organisation 'A' is also in a.toml"):
        load_configs([a, b], env={})


def test_organisations_must_share_one_database(tmp_path: Path) -> None:
    a = write_config(tmp_path, _org("A", db="sqlite:///one.db"), "a.toml")
    b = write_config(tmp_path, _org("B", db="sqlite:///two.db"), "b.toml")
    with pytest.raises(ConfigError, match=r"b.toml: database.url differs from a.toml's"):
        load_configs([a, b], env={})


def _invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = CliRunner().invoke(cli, ["--db", db, *args])
    return result.exit_code, result.output


def test_cli_refuses_clashing_organisations_with_exit_2(tmp_path: Path) -> None:
    a = write_config(tmp_path, _org("A", "https://blog.example/"), "a.toml")
    b = write_config(tmp_path, _org("B", "https://blog.example/"), "b.toml")
    code, output = _invoke(tmp_path, "--config", str(a), "--config", str(b), "db", "upgrade")
    assert code == 2
    assert "claimed by both organisation 'A' (a.toml) and 'B'" in output


def test_cli_needs_org_when_several_are_loaded(tmp_path: Path) -> None:
    a = write_config(tmp_path, _org("A", "https://a.example/"), "a.toml")
    b = write_config(tmp_path, _org("B", "https://b.example/"), "b.toml")
    both = ["--config", str(a), "--config", str(b)]
    code, output = _invoke(tmp_path, *both, "db", "upgrade")  # every organisation's sources
    assert code == 0, output
    code, output = _invoke(tmp_path, *both, "mentions")
    assert code == 2
    assert "several organisations are loaded ('A', 'B'): name one with --org NAME" in output
    code, output = _invoke(tmp_path, *both, "--org", "C", "mentions")
    assert code == 2
    assert "--org 'C': no such organisation; loaded: 'A', 'B'" in output
    code, output = _invoke(tmp_path, *both, "--org", "B", "status", "--json")
    assert code == 0, output
    assert '"own: https://b.example/"' in output
    assert "a.example" not in output


def test_one_organisation_needs_no_org_and_env_lists_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = write_config(tmp_path, _org("A", "https://a.example/"), "a.toml")
    b = write_config(tmp_path, _org("B", "https://b.example/"), "b.toml")
    code, output = _invoke(tmp_path, "--config", str(a), "db", "upgrade")
    assert code == 0, output
    code, output = _invoke(tmp_path, "--config", str(a), "mentions")
    assert code == 0, output
    monkeypatch.setenv("MEDIAMON_CONFIG", os.pathsep.join([str(a), str(b)]))
    code, output = _invoke(tmp_path, "mentions")
    assert code == 2
    assert "('A', 'B')" in output
