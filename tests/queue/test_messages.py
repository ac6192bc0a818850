"""The queue's config and message format: every bad input is refused with the reason (#19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config
from scheduler.queue.actors import HostBusy, RunTimedOut, WrongVersion, retry_when
from scheduler.queue.messages import (
    FORMAT_VERSION,
    BadMessage,
    RunMessage,
    config_version,
    parse_message,
)
from tests.helpers import MINIMAL_CONFIG, write_config

pytestmark = pytest.mark.unit


def _load(tmp_path: Path, queue: str) -> object:
    return load_config(write_config(tmp_path, MINIMAL_CONFIG + "\n[queue]\n" + queue))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/0",
        "redis://",
        "redis://127.0.0.1:notaport/0",
        "redis://127.0.0.1:6379/zero",
        "127.0.0.1:6379",
    ],
)
def test_malformed_queue_url_is_a_config_error_naming_the_key(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, f'url = "{url}"\n')
    message = str(info.value)
    assert message.startswith("mediamon.toml: queue.url: ")
    assert "\n" not in message


def test_queue_defaults_and_embedded_mode(tmp_path: Path) -> None:
    embedded = load_config(write_config(tmp_path, MINIMAL_CONFIG))
    assert not embedded.queue.enabled
    config = _load(tmp_path, 'url = "redis://:secret@127.0.0.1:6379/3"\n')
    assert config.queue.enabled  # type: ignore[attr-defined]
    assert config.queue.prefix == "mediamon"  # type: ignore[attr-defined]


def test_bad_prefix_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"queue\.prefix"):
        _load(tmp_path, 'url = "redis://127.0.0.1:6379/0"\nprefix = "has space"\n')


def _good() -> dict[str, object]:
    return RunMessage("feeds", "news.test", 7, "0005", "abc", {"source_names": ["A"]}).to_json()


def test_a_good_message_round_trips() -> None:
    message = parse_message(_good())
    assert message.job == "poll"
    assert message.options == {"source_names": ["A"]}
    assert message.version == FORMAT_VERSION


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kind": "podcasts"}, "unknown kind 'podcasts'"),
        ({"version": 0}, "message format 0"),
        ({"version": None}, "message format None"),
        ({"run_id": "7"}, "run_id"),
        ({"run_id": True}, "run_id"),
        ({"group": ""}, "group"),
        ({"schema": ""}, "schema"),
        ({"config": 3}, "config"),
        ({"options": {"post_urls": ["x"]}}, "not accepted for feeds: post_urls"),
        ({"options": {"source_names": "A"}}, "options.source_names"),
        ({"surprise": 1}, "unknown fields: surprise"),
    ],
)
def test_bad_messages_are_refused_with_the_reason(change: dict[str, object], reason: str) -> None:
    with pytest.raises(BadMessage, match=reason.replace("(", r"\(")):
        parse_message({**_good(), **change})


def test_not_an_object() -> None:
    with pytest.raises(BadMessage, match="not a JSON object"):
        parse_message(["feeds"])


def test_what_is_retried_and_what_is_dead_lettered() -> None:
    assert not retry_when(0, BadMessage("x"))
    assert retry_when(0, RunTimedOut("x"))  # once more ...
    assert not retry_when(1, RunTimedOut("x"))  # ... then dead-lettered
    assert retry_when(10, WrongVersion("x"))  # another worker may take it
    assert not retry_when(2, RuntimeError("x"))


def test_config_version_follows_the_config_not_its_path(tmp_path: Path) -> None:
    one = load_config(write_config(tmp_path, MINIMAL_CONFIG))
    (tmp_path / "b").mkdir()
    two = load_config(write_config(tmp_path / "b", MINIMAL_CONFIG))
    three = load_config(write_config(tmp_path, MINIMAL_CONFIG.replace("weight = 3", "weight = 2")))
    assert config_version(one) == config_version(two) != config_version(three)


def test_a_busy_host_is_retried_for_as_long_as_it_takes_at_most_a_minute_apart() -> None:
    assert retry_when(500, HostBusy("busy", 500))
    assert HostBusy("busy", 0).delay == 1000
    assert HostBusy("busy", 3).delay == 8000
    assert HostBusy("busy", 40).delay == 60_000
