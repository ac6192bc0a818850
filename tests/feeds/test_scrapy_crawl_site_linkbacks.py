"""``scrapy crawl site`` and ``scrapy crawl linkbacks`` are real runs, like ``scrapy crawl
feeds``: each stores what the same run stores when the scheduler starts it (through the one
child runner), records its run once, and refuses bad input with a clear error and a non-zero
exit (a missing or broken config: exit 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.storage.db import make_engine, session_scope
from crawler.storage.linkbacks import harvest_posts
from sampleweb import SampleWeb
from tests.helpers import in_child, write_local_config
from tests.scrapy_cli import finds, new_database, scrapy

# Each test crawls the sample web two or three times end to end (a poll first), with the pace
# off (``write_local_config``): about 15 s each with two other files running (#13).
pytestmark = pytest.mark.slow
LINKBACKS = {"pingback", "trackback", "reblog", "webmention", "comment"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SampleWeb, Path, str]]:
    """The small sample world, its config, and a database a poll filled (posts, sitemaps)."""
    web = SampleWeb(scale="small", day=1)
    web.start(0)
    folder = tmp_path_factory.mktemp("scrapy-runs")
    config = folder / "mediamon.toml"
    write_local_config(web, config)
    polled = new_database(folder / "polled.db")
    report = in_child("poll", config, polled, timeout=240, all_sources=True)
    assert report.exit_status == 0, report.error
    yield web, config, polled
    web.stop()


def _copy(polled: str, path: Path) -> str:
    """A copy of the polled database: each run starts from the same stored state."""
    path.write_bytes(Path(polled.removeprefix("sqlite:///")).read_bytes())
    return f"sqlite:///{path}"


def _org(web: SampleWeb) -> str:
    return str(web.truth()["organisation"]["name"])


def test_scrapy_crawl_site_stores_what_a_scheduled_site_crawl_stores(
    world: tuple[SampleWeb, Path, str], tmp_path: Path
) -> None:
    web, config, _ = world
    by_scrapy = new_database(tmp_path / "scrapy.db")  # nothing polled: the crawl finds it all
    by_runner = new_database(tmp_path / "runner.db")
    names = [source.name for source in load_config(config).sources][:2]
    done = scrapy(
        "crawl",
        "site",
        "-a",
        "source=" + ",".join(names),
        env={"MEDIAMON_CONFIG": str(config), "MEDIAMON_DATABASE_URL": by_scrapy},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = in_child("crawl", config, by_runner, timeout=240, source_names=names)
    assert report.exit_status == 0, report.error
    assert report.sources == len(names)
    assert report.pages >= 1
    scrapy_finds, scrapy_runs = finds(by_scrapy, _org(web))
    runner_finds, runner_runs = finds(by_runner, _org(web))
    assert scrapy_finds
    assert scrapy_finds == runner_finds
    assert scrapy_runs == runner_runs == [("crawl", 0, "")]


def test_scrapy_crawl_linkbacks_stores_what_a_harvest_stores(
    world: tuple[SampleWeb, Path, str], tmp_path: Path
) -> None:
    web, config, polled = world
    engine = make_engine(polled)
    with session_scope(engine) as session:
        posts = [p.url for p in harvest_posts(session, _org(web))][:3]
    engine.dispose()
    assert posts
    by_scrapy = _copy(polled, tmp_path / "scrapy.db")
    by_runner = _copy(polled, tmp_path / "runner.db")
    done = scrapy(
        "crawl",
        "linkbacks",
        "-a",
        "post=" + ",".join(posts),
        env={"MEDIAMON_CONFIG": str(config), "MEDIAMON_DATABASE_URL": by_scrapy},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = in_child("harvest", config, by_runner, timeout=240, post_urls=posts)
    assert report.exit_status == 0, report.error
    assert report.posts == len(posts)
    before, _ = finds(polled, _org(web))
    scrapy_finds, scrapy_runs = finds(by_scrapy, _org(web))
    runner_finds, runner_runs = finds(by_runner, _org(web))
    assert scrapy_finds == runner_finds
    assert {kind for kind, _, _ in scrapy_finds - before} & LINKBACKS  # ours, harvested
    assert sorted(scrapy_runs) == sorted(runner_runs) == [("harvest", 0, ""), ("poll", 0, "")]


@pytest.mark.parametrize(
    ("spider", "arguments", "message"),
    [
        ("site", ["-a", "bogus=1"], "unknown spider argument bogus"),
        ("site", ["-a", "source=No Such Paper"], "unknown source: No Such Paper"),
        ("linkbacks", ["-a", "source=x"], "unknown spider argument source"),
        ("linkbacks", ["-a", "all=maybe"], "spider argument all='maybe'"),
        ("linkbacks", ["-a", "post=https://elsewhere.test/p/1"], "not one of our posts"),
    ],
)
def test_a_bad_spider_argument_is_named_and_nothing_is_stored(
    world: tuple[SampleWeb, Path, str],
    tmp_path: Path,
    spider: str,
    arguments: list[str],
    message: str,
) -> None:
    web, config, polled = world
    url = _copy(polled, tmp_path / "bad.db")
    before, _ = finds(polled, _org(web))
    done = scrapy(
        "crawl",
        spider,
        *arguments,
        env={"MEDIAMON_CONFIG": str(config), "MEDIAMON_DATABASE_URL": url},
    )
    assert done.returncode != 0
    assert message in done.stderr
    after, runs = finds(url, _org(web))
    assert after == before
    assert all(status != 0 for job, status, _ in runs if job != "poll")


@pytest.mark.parametrize("spider", ["site", "linkbacks"])
@pytest.mark.parametrize("problem", ["unset", "broken"])
def test_a_missing_or_broken_config_exits_2(tmp_path: Path, spider: str, problem: str) -> None:
    env = {"MEDIAMON_CONFIG": str(tmp_path / "nowhere.toml")}
    if problem == "broken":
        broken = tmp_path / "broken.toml"
        broken.write_text("[organisation\nname = 3\n", encoding="utf-8")
        env["MEDIAMON_CONFIG"] = str(broken)
    done = scrapy("crawl", spider, env=env)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "MEDIAMON_CONFIG:" in done.stderr
    assert "Traceback" not in done.stderr
