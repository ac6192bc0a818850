"""Several runs in one process and one reactor (``crawler.runs.crawl.run_crawls``): a poll of
one organisation's config and a harvest of another's, crawled at the same time, each store
exactly what the same run stores alone, each in its own database, each through its own address
guard (the two sample webs listen on different ports, and each config allows only its own)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.storage.db import make_engine, session_scope
from crawler.storage.linkbacks import harvest_posts
from crawler.storage.mentions import list_mentions
from crawler.storage.runs import recent_runs
from sampleweb import SampleWeb
from tests.helpers import in_child, write_local_config
from tests.scrapy_cli import ROOT, finds, new_database

pytestmark = pytest.mark.slow
#: The time the poll crawled together with a harvest believes it is (the harvest: the wall clock).
SIMULATED = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)
LINKBACKS = {"pingback", "trackback", "reblog", "webmention", "comment"}


def _together(runs: list[dict[str, object]]) -> subprocess.CompletedProcess[str]:
    """``python -m crawler.runs.crawl`` with ``runs`` on stdin: one process, one reactor."""
    return subprocess.run(
        [sys.executable, "-m", "crawler.runs.crawl"],
        input=json.dumps(runs),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def webs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SampleWeb, SampleWeb, Path]]:
    first, second = SampleWeb(scale="small", day=1), SampleWeb(scale="small", day=1)
    first.start(0)
    second.start(0)
    yield first, second, tmp_path_factory.mktemp("together")
    first.stop()
    second.stop()


def _org(web: SampleWeb) -> str:
    return str(web.truth()["organisation"]["name"])


def _stamps(url: str, org: str, *, since: datetime) -> tuple[bool, bool]:
    """Whether the poll's run row and its mentions were stamped within a day of ``since``."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        runs = [r for r in recent_runs(session) if r.job == "poll"]
        mentions = list_mentions(session, org)
    engine.dispose()
    day = timedelta(days=1)
    rows_ok = bool(runs) and all(
        since <= r.started_at < since + day
        and r.finished_at is not None
        and since <= r.finished_at < since + day
        for r in runs
    )
    seen_ok = bool(mentions) and all(since <= m.first_seen_at < since + day for m in mentions)
    return rows_ok, seen_ok


def _run_starts(url: str) -> list[datetime]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        starts = [r.started_at for r in recent_runs(session) if r.job == "harvest"]
    engine.dispose()
    return starts


def _copy(url: str, path: Path) -> str:
    path.write_bytes(Path(url.removeprefix("sqlite:///")).read_bytes())
    return f"sqlite:///{path}"


@pytest.mark.long
def test_a_poll_and_a_harvest_of_two_configs_run_together_and_stay_apart(
    webs: tuple[SampleWeb, SampleWeb, Path],
) -> None:
    poll_web, harvest_web, folder = webs
    assert poll_web.truth()["port"] != harvest_web.truth()["port"]
    poll_config, harvest_config = folder / "poll.toml", folder / "harvest.toml"
    write_local_config(poll_web, poll_config)
    write_local_config(harvest_web, harvest_config)

    # The harvest needs the second organisation's posts: a poll of its own web first.
    polled = new_database(folder / "polled.db")
    assert in_child("poll", harvest_config, polled, timeout=240, all_sources=True).exit_status == 0
    engine = make_engine(polled)
    with session_scope(engine) as session:
        posts = [p.url for p in harvest_posts(session, _org(harvest_web))][:3]
    engine.dispose()
    assert posts

    # Each run alone, the way the scheduler starts it.
    alone_poll = new_database(folder / "alone-poll.db")
    alone_harvest = _copy(polled, folder / "alone-harvest.db")
    report = in_child("poll", poll_config, alone_poll, timeout=240, all_sources=True)
    assert report.exit_status == 0, report.error
    report = in_child("harvest", harvest_config, alone_harvest, timeout=240, post_urls=posts)
    assert report.exit_status == 0, report.error

    # Both together in one process.
    together_poll = new_database(folder / "together-poll.db")
    together_harvest = _copy(polled, folder / "together-harvest.db")
    done = _together(
        [
            {
                "kind": "poll",
                "config": str(poll_config),
                "db": together_poll,
                "now": SIMULATED.isoformat(),
                "options": {"all_sources": True},
            },
            {
                "kind": "harvest",
                "config": str(harvest_config),
                "db": together_harvest,
                "targets": posts,
            },
        ]
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["exit_status"] for line in lines] == [0, 0]

    poll_finds, poll_runs = finds(together_poll, _org(poll_web))
    assert poll_finds
    assert (poll_finds, poll_runs) == finds(alone_poll, _org(poll_web))
    assert poll_runs == [("poll", 0, "")]
    harvest_finds, harvest_runs = finds(together_harvest, _org(harvest_web))
    before, _ = finds(polled, _org(harvest_web))
    assert {kind for kind, _, _ in harvest_finds - before} & LINKBACKS
    assert harvest_finds == finds(alone_harvest, _org(harvest_web))[0]
    assert sorted(harvest_runs) == [("harvest", 0, ""), ("poll", 0, "")]
    # Each run kept its own clock: the poll's rows follow its simulated time, the harvest's
    # (started without one) the wall clock, although both crawled in one process.
    assert _stamps(together_poll, _org(poll_web), since=SIMULATED) == (True, True)
    wall = min(started for started in _run_starts(together_harvest))
    assert wall > SIMULATED + timedelta(days=300)
    # Nothing crossed over: every stored URL of a database is on its own web's port.
    poll_port, harvest_port = poll_web.truth()["port"], harvest_web.truth()["port"]
    assert all(f":{harvest_port}/" not in url for _, url, _ in poll_finds)
    assert all(f":{poll_port}/" not in url for _, url, _ in harvest_finds - before)


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("not json", "error:"),
        ('[{"kind": "dig", "config": "x", "db": "sqlite:///x"}]', "unknown run kind 'dig'"),
        ('[{"kind": "poll", "db": "sqlite:///x"}]', "error: 'config'"),
    ],
)
def test_a_malformed_run_list_exits_2_and_says_why(stdin: str, message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crawler.runs.crawl"],
        input=stdin,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr
