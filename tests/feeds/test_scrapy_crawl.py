"""``MEDIAMON_CONFIG=FILE scrapy crawl feeds`` is a real poll: it stores what ``mediamon poll``
stores, records its run, and refuses bad input with a clear error and a non-zero exit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sampleweb import SampleWeb
from tests.helpers import write_local_config
from tests.scrapy_cli import BIN
from tests.scrapy_cli import finds as _finds
from tests.scrapy_cli import new_database as _database
from tests.scrapy_cli import scrapy as _scrapy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleWeb, Path]:
    web = SampleWeb(scale="small", day=1)
    web.start(0)
    config = tmp_path_factory.mktemp("scrapy") / "mediamon.toml"
    write_local_config(web, config)
    yield web, config
    web.stop()


def test_scrapy_crawl_feeds_stores_what_mediamon_poll_stores(
    world: tuple[SampleWeb, Path], tmp_path: Path
) -> None:
    web, config = world
    by_scrapy = _database(tmp_path / "scrapy.db")
    by_cli = _database(tmp_path / "cli.db")
    done = _scrapy(
        "crawl",
        "feeds",
        "-a",
        "all=1",
        env={"MEDIAMON_CONFIG": str(config), "MEDIAMON_DATABASE_URL": by_scrapy},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    cli = subprocess.run(
        [str(BIN / "mediamon"), "--config", str(config), "--db", by_cli, "poll", "--all"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr[-3000:]
    org = web.truth()["organisation"]["name"]
    scrapy_finds, scrapy_runs = _finds(by_scrapy, org)
    cli_finds, cli_runs = _finds(by_cli, org)
    assert scrapy_finds
    assert scrapy_finds == cli_finds
    assert scrapy_runs == [("poll", 0, "")]
    assert cli_runs == [("poll", 0, "")]


def test_scrapy_list_names_every_spider() -> None:
    done = _scrapy("list", env={})
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"feeds", "site", "adhoc", "linkbacks"} <= set(done.stdout.split())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-a", "bogus=1"], "unknown spider argument bogus"),
        (["-a", "all=maybe"], "spider argument all='maybe'"),
        (["-a", "source=No Such Paper"], "unknown source: No Such Paper"),
    ],
)
def test_a_bad_spider_argument_is_named_and_nothing_is_stored(
    world: tuple[SampleWeb, Path], tmp_path: Path, arguments: list[str], message: str
) -> None:
    _, config = world
    url = _database(tmp_path / "bad.db")
    done = _scrapy(
        "crawl",
        "feeds",
        *arguments,
        env={"MEDIAMON_CONFIG": str(config), "MEDIAMON_DATABASE_URL": url},
    )
    assert done.returncode != 0
    assert message in done.stderr
    finds, runs = _finds(url, "Orbital Registry Agency")
    assert not finds
    assert all(status != 0 for _, status, _ in runs)


@pytest.mark.parametrize("problem", ["unset", "broken"])
def test_a_missing_or_broken_config_exits_2(tmp_path: Path, problem: str) -> None:
    env = {"MEDIAMON_CONFIG": str(tmp_path / "nowhere.toml")}
    if problem == "broken":
        broken = tmp_path / "broken.toml"
        broken.write_text("[organisation\nname = 3\n", encoding="utf-8")
        env["MEDIAMON_CONFIG"] = str(broken)
    done = _scrapy("crawl", "feeds", env=env)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "MEDIAMON_CONFIG:" in done.stderr
    assert "Traceback" not in done.stderr
