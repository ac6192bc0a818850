"""A site crawl (`scrapy crawl site -a source=NAME`, the run the scheduler's crawl job makes)
interrupted by SIGINT, SIGTERM or SIGKILL, then run again: the stored finds equal an
uninterrupted crawl's, nothing lost and nothing twice; an interrupted run is recorded with
exit status 130 (#18). Each page is stored with its mentions in one transaction, and a page
not stored is not "known", so the next crawl reads it. Driven by events
(``tests.interruption``)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from sampleweb.server.router import SampleWeb
from tests.feeds.conftest import HANG_SECONDS, SLOW_SECONDS
from tests.interruption import Finds, Gate, database, finds, interrupt, last_run
from tests.press.conftest import sample_config
from tests.scrapy_cli import BIN, ROOT, scrapy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gated() -> Iterator[tuple[SampleWeb, Gate]]:
    web = SampleWeb(scale="small", day=1, slow_seconds=SLOW_SECONDS, hang_seconds=HANG_SECONDS)
    gate = Gate.install(web)
    web.start(0)
    yield web, gate
    web.stop()


def _site(web: SampleWeb) -> str:
    return ",".join(site.name for site in web.world.news[:2])


def _crawl(config: Path, db: str, web: SampleWeb) -> tuple[int, str]:
    done = scrapy(
        "crawl",
        "site",
        "-a",
        f"source={_site(web)}",
        env={"MEDIAMON_CONFIG": str(config), "MEDIAMON_DATABASE_URL": db},
    )
    return done.returncode, done.stderr


@pytest.fixture(scope="module")
def reference(
    gated: tuple[SampleWeb, Gate], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Finds, int]:
    web, gate = gated
    root = tmp_path_factory.mktemp("reference")
    config = sample_config(web, root / "mediamon.toml")
    db = database(root / "ref.db", config)
    gate.arm(None)
    status, err = _crawl(config, db, web)
    assert status == 0, err[-2000:]
    found = finds(db)
    assert found[0], "the crawl found nothing: the comparison would be empty"
    return found, gate.served


@pytest.mark.parametrize(
    ("sig", "point"),
    [(signal.SIGINT, 0.5), (signal.SIGTERM, 0.3), (signal.SIGKILL, 0.6)],
    ids=["sigint", "sigterm", "sigkill"],
)
def test_an_interrupted_site_crawl_loses_nothing_and_stores_nothing_twice(
    gated: tuple[SampleWeb, Gate],
    reference: tuple[Finds, int],
    tmp_path: Path,
    sig: signal.Signals,
    point: float,
) -> None:
    web, gate = gated
    expected, requests = reference
    config = sample_config(web, tmp_path / "mediamon.toml")
    db = database(tmp_path / "m.db", config)
    status, _, err = interrupt(
        gate,
        int(requests * point),
        sig,
        "crawl",
        "site",
        "-a",
        f"source={_site(web)}",
        cwd=ROOT,
        program=(str(BIN / "scrapy"),),
        env={"MEDIAMON_CONFIG": str(config), "MEDIAMON_DATABASE_URL": db},
    )
    if sig == signal.SIGKILL:
        assert status == -signal.SIGKILL
    else:
        run = last_run(db)
        assert (run.job, run.exit_status, run.error) == ("crawl", 130, "interrupted"), err[-2000:]
    assert finds(db)[0] <= expected[0]
    again, err = _crawl(config, db, web)
    assert again == 0, err[-2000:]
    assert finds(db) == expected
