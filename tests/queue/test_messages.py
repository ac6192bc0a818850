"""The queue's config and message format: every bad input is refused with the reason (#19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawler.config import ConfigError, load_config
from scheduler.queue.actors import Executor, HostBusy, RunTimedOut, WrongVersion, retry_when
from scheduler.queue.enqueue import dedupe_key
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


def _adhoc(**options: object) -> dict[str, object]:
    wanted = {"urls": ["http://news.test/a"], "depth": 1, "mention_kind": "press", **options}
    return RunMessage("sites", "news.test", 7, "0016", "abc", wanted).to_json()


def test_an_adhoc_crawl_rides_the_sites_flow_as_its_own_job() -> None:
    message = parse_message(_adhoc(queries={"q1": '"harbour board"'}))
    assert message.job == "adhoc"
    assert message.adhoc
    assert message.options["queries"] == {"q1": '"harbour board"'}
    configured = RunMessage("sites", "news.test", 7, "0016", "abc", {"source_names": ["A"]})
    assert configured.job == "crawl"
    assert not configured.adhoc


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"urls": []}, "options.urls: an ad-hoc crawl needs at least one URL"),
        ({"urls": "http://news.test/a"}, "options.urls: expected a list of strings"),
        ({"depth": 6}, "options.depth: expected 0 to 5, got 6"),
        ({"depth": "1"}, "options.depth: expected 0 to 5, got '1'"),
        ({"depth": True}, "options.depth: expected 0 to 5, got True"),
        ({"queries": ["harbour"]}, "options.queries: expected an object"),
        ({"queries": {"q1": 3}}, "options.queries: expected an object"),
        ({"mention_kind": "radio"}, "options.mention_kind: expected one of press, blog"),
        ({"source_names": ["A"]}, "source_names and urls exclude each other"),
    ],
)
def test_bad_adhoc_options_are_refused_with_the_reason(
    options: dict[str, object], reason: str
) -> None:
    with pytest.raises(BadMessage, match=reason.replace("(", r"\(")):
        parse_message(_adhoc(**options))


def test_adhoc_options_are_only_for_the_sites_flow() -> None:
    feeds = {**_adhoc(), "kind": "feeds"}
    with pytest.raises(BadMessage, match="not accepted for feeds: depth, mention_kind, urls"):
        parse_message(feeds)


def test_a_message_names_its_organisation_and_format_1_is_still_read() -> None:
    named = RunMessage("feeds", "news.test", 7, "0005", "abc", org="Orbis Union").to_json()
    assert parse_message(named).org == "Orbis Union"
    old = {k: v for k, v in named.items() if k != "org"} | {"version": 1}
    assert parse_message(old).org == ""  # before organisations: the worker's only one
    with pytest.raises(BadMessage, match="unknown fields: org"):
        parse_message({**old, "org": "Orbis Union"})
    with pytest.raises(BadMessage, match="org: expected"):
        parse_message({**named, "org": 3})


def test_the_dedupe_key_keeps_two_organisations_groups_apart(tmp_path: Path) -> None:
    config = load_config(
        write_config(tmp_path, MINIMAL_CONFIG + '\n[queue]\nurl = "redis://127.0.0.1:6379/0"\n')
    )
    queue = config.queue
    assert dedupe_key(queue, "feeds", "wire.test", "A") != dedupe_key(
        queue, "feeds", "wire.test", "B"
    )
    assert dedupe_key(queue, "feeds", "wire.test") == "mediamon:group:feeds:wire.test"


def test_a_worker_runs_a_message_with_its_organisations_config(tmp_path: Path) -> None:
    one = load_config(write_config(tmp_path, MINIMAL_CONFIG))
    (tmp_path / "b").mkdir()
    two = load_config(
        write_config(tmp_path / "b", MINIMAL_CONFIG.replace(one.organisation.name, "Second Org"))
    )
    assert two.organisation.name == "Second Org"
    nothing: Any = None  # config_for touches neither the database nor Redis
    both = Executor(one, "sqlite://", nothing, nothing, forget=print, send=print, others=(two,))
    alone = Executor(one, "sqlite://", nothing, nothing, forget=print, send=print)

    def message(org: str) -> RunMessage:
        return RunMessage("feeds", "news.test", 7, "0005", "abc", org=org)

    assert both.config_for(message("Second Org")) is two
    assert both.config_for(message(one.organisation.name)) is one
    assert alone.config_for(message("")) is one  # a format-1 message
    with pytest.raises(WrongVersion, match="names no organisation"):
        both.config_for(message(""))
    with pytest.raises(WrongVersion, match="'Elsewhere' is not served here"):
        both.config_for(message("Elsewhere"))


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
