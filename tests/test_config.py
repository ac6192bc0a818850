"""Config loading: every bad input of the foundation issue gets a one-line, located error."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import (
    CACHE_ENV,
    ConfigError,
    cache_dir,
    database_url,
    load_config,
    mask_url,
    parse_config,
)
from tests.helpers import MINIMAL_CONFIG, write_config

STARTER = Path(__file__).parents[1] / "crawler" / "starter.toml"


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, text))
    return str(info.value)


def test_starter_config_loads() -> None:
    config = load_config(STARTER, env={})
    assert config.organisation.name == "Example Org"
    assert config.sources[0].weight == 3


def test_missing_file_points_to_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not found; create one with `mediamon init"):
        load_config(tmp_path / "nope.toml")


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    message = _error(tmp_path, '[organisation]\nname = "x\n')
    assert message.startswith("mediamon.toml: TOML syntax error")
    assert "line 2" in message
    assert "column" in message


def test_unknown_key_is_named_with_suggestion(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL_CONFIG.replace("weight = 3", "wieght = 3"))
    assert message == "mediamon.toml: sources[0].wieght: unknown key (did you mean 'weight'?)"


def test_unknown_section_suggests(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL_CONFIG + "\n[digets]\nsend_at='08:00'\n")
    assert "digets: unknown key (did you mean 'digest'?)" in message


def test_wrong_type(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL_CONFIG.replace("weight = 3", 'weight = "heavy"'))
    assert message.startswith("mediamon.toml: sources[0].weight: ")
    assert "integer" in message


def test_invalid_url(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL_CONFIG.replace("https://dailyplanet.example/rss", "htp://x"))
    assert message == "mediamon.toml: sources[0].url: not an http(s) URL: 'htp://x'"


def test_web_base_url_is_an_http_url_without_its_trailing_slash(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL_CONFIG + "\n[web]\nbase_url = 'news.example'\n")
    assert message == "mediamon.toml: web.base_url: not an http(s) URL: 'news.example'"
    path = write_config(tmp_path, MINIMAL_CONFIG + "\n[web]\nbase_url = 'https://n.example/m/'\n")
    assert load_config(path).web.base_url == "https://n.example/m"


def test_unknown_timezone(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL_CONFIG.replace("Europe/Zurich", "Mars/Olympus"))
    assert message == "mediamon.toml: organisation.timezone: unknown timezone: 'Mars/Olympus'"


def test_empty_organisation_name(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL_CONFIG.replace('name = "Orbis Union"', 'name = "  "'))
    assert message.startswith("mediamon.toml: organisation.name: ")


def test_duplicate_source_names(tmp_path: Path) -> None:
    text = MINIMAL_CONFIG + (
        '\n[[sources]]\nname = "Daily Planet"\nurl = "https://other.example/feed"\n'
    )
    message = _error(tmp_path, text)
    assert message == "mediamon.toml: sources[1].name: duplicate name 'Daily Planet'"


def test_missing_organisation(tmp_path: Path) -> None:
    assert _error(tmp_path, "") == "mediamon.toml: organisation: required key is missing"


def test_invalid_recipient_rejected(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL_CONFIG + '\n[digest]\nrecipients = ["not-an-address"]\n')
    assert "digest.recipients: " in message
    assert "not an email address: 'not-an-address'" in message


def test_several_errors_one_line_each(tmp_path: Path) -> None:
    text = MINIMAL_CONFIG.replace("Europe/Zurich", "Nowhere").replace("weight = 3", "weight = -1")
    lines = _error(tmp_path, text).splitlines()
    assert len(lines) == 2
    assert all(line.startswith("mediamon.toml: ") for line in lines)


def test_secret_from_environment_and_masked(tmp_path: Path) -> None:
    path = write_config(tmp_path, MINIMAL_CONFIG + '\n[smtp]\npassword_env = "MY_SMTP_PW"\n')
    config = load_config(path, env={"MY_SMTP_PW": "hunter2"})
    assert config.smtp.password == "hunter2"
    shown = config.masked()
    assert "hunter2" not in repr(shown)
    assert "hunter2" not in repr(config)
    assert shown["smtp"]["password"] == "********"


def test_password_cannot_be_written_in_file(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL_CONFIG + '\n[smtp]\npassword = "x"\n')
    assert "smtp.password: secrets are not read from the file" in message


def test_database_url_precedence(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path), env={})
    assert database_url(config, None, env={}) == f"sqlite:///{tmp_path.resolve()}/mediamon.db"
    env = {"MEDIAMON_DATABASE_URL": "postgresql://u@h/db"}
    assert database_url(config, None, env=env) == "postgresql://u@h/db"
    assert database_url(config, "sqlite:////abs.db", env=env) == "sqlite:////abs.db"


def test_mask_url() -> None:
    assert mask_url("postgresql://me:s3cr3t@db:5432/x") == "postgresql://me:********@db:5432/x"
    assert mask_url("sqlite:///x.db") == "sqlite:///x.db"


def test_config_is_immutable(tmp_path: Path) -> None:
    config = parse_config({"organisation": {"name": "X"}}, env={})
    with pytest.raises(ValueError, match="frozen"):
        config.organisation.name = "Y"  # type: ignore[misc]


def test_resolve_map_needs_ip_addresses() -> None:
    with pytest.raises(ConfigError, match=r"crawl.resolve: .*not an IP address"):
        parse_config(
            {"organisation": {"name": "X"}, "crawl": {"resolve": {"a.test": "nope"}}}, env={}
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"ITU OR', "unbalanced quote"),
        ("(ITU OR UIT", "parenthes"),
        ("", "empty"),
        ("ITU NEAR UIT", "NEAR"),
        ("foo:bar", "field"),
    ],
)
def test_bad_query_refused_at_load_with_position(tmp_path: Path, query: str, expected: str) -> None:
    text = MINIMAL_CONFIG.replace("""query = '"Orbis Union"'""", f"query = '{query}'")
    message = _error(tmp_path, text)
    assert message.startswith("mediamon.toml: queries[0].query: ")
    assert expected.lower() in message.lower()
    if query:
        assert message.rstrip().endswith("^")


def test_broad_query_is_warned_not_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = MINIMAL_CONFIG.replace("""query = '"Orbis Union"'""", "query = '-sport'")
    config = load_config(write_config(tmp_path, text), env={})
    assert config.queries[0].query == "-sport"
    assert any("query 'org'" in r.getMessage() for r in caplog.records)


def test_cache_folder_from_the_environment(tmp_path: Path) -> None:
    assert cache_dir({CACHE_ENV: str(tmp_path)}) == tmp_path
    assert cache_dir({"XDG_CACHE_HOME": "/var/cache/x"}) == Path("/var/cache/x/mediamon")
    assert cache_dir({"XDG_CACHE_HOME": "relative"}) == Path.home() / ".cache" / "mediamon"
    assert cache_dir({}) == Path.home() / ".cache" / "mediamon"
    assert cache_dir({CACHE_ENV: "", "XDG_CACHE_HOME": "/x"}) == Path("/x/mediamon")
