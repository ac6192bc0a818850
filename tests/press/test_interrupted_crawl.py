"""`mediamon crawl URL --depth 1` interrupted (SIGINT, SIGTERM, SIGKILL) mid-crawl: an
interruption is never reported as a result (exit 130, "interrupted after N pages"), and a
second crawl stores the same finds as an uninterrupted one, nothing twice (#18). Each page is
stored with its mentions in one transaction. Driven by events (``tests.interruption``).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from sampleweb.server.router import SampleWeb
from tests.interruption import Finds, Gate, database, finds, interrupt, last_run, mediamon
from tests.press.conftest import sample_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gated() -> Iterator[tuple[SampleWeb, Gate]]:
    web = SampleWeb(scale="small", day=1)
    gate = Gate.install(web)
    web.start(0)
    yield web, gate
    web.stop()


def _start(web: SampleWeb) -> str:
    return web.url(web.world.news[0].host, "/")


@pytest.fixture(scope="module")
def reference(
    gated: tuple[SampleWeb, Gate], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Finds, int]:
    web, gate = gated
    root = tmp_path_factory.mktemp("reference")
    config = sample_config(web, root / "mediamon.toml")
    db = database(root / "ref.db", config)
    gate.arm(None)
    base = ("--config", str(config), "--db", db)
    done = mediamon(*base, "crawl", _start(web), "--depth", "1", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    found = finds(db)
    assert found[0], "the crawl found nothing: the comparison would be empty"
    return found, gate.served


@pytest.mark.parametrize(
    ("sig", "point"),
    [(signal.SIGINT, 0.5), (signal.SIGTERM, 0.3), (signal.SIGKILL, 0.6)],
    ids=["sigint", "sigterm", "sigkill"],
)
def test_an_interrupted_crawl_says_so_and_the_next_one_stores_the_same(
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
    base = ("--config", str(config), "--db", db)
    args = (*base, "crawl", _start(web), "--depth", "1")
    status, out, err = interrupt(gate, int(requests * point), sig, *args, cwd=tmp_path)
    if sig == signal.SIGKILL:
        assert status == -signal.SIGKILL
    else:
        assert status == 130, err
        assert "mediamon: interrupted after" in err
        assert "Nothing about the organisation" not in out
        run = last_run(db)
        assert run.exit_status == 130
    assert finds(db)[0] <= expected[0]
    again = mediamon(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert finds(db) == expected
