"""`mediamon linkbacks --all` interrupted (SIGINT, SIGTERM, SIGKILL) mid-harvest, then run
again: the stored finds equal an uninterrupted harvest's, nothing lost, nothing twice (#18).

A post's finds are stored in one transaction with its "harvested" mark, so a post the
interrupted run did not finish is simply harvested again. Driven by events
(``tests.interruption``), never by sleeps.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from sampleweb.server.router import SampleWeb
from tests.harvest.conftest import NOW, new_web, write_config
from tests.helpers import in_child
from tests.interruption import Finds, Gate, database, finds, interrupt, last_run, mediamon

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gated() -> Iterator[tuple[SampleWeb, Gate]]:
    web = new_web()
    gate = Gate.install(web)
    yield web, gate
    web.stop()


@pytest.fixture(scope="module")
def polled(
    gated: tuple[SampleWeb, Gate], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A database that knows the organisation's posts (one poll), and its config."""
    web, _ = gated
    root = tmp_path_factory.mktemp("polled")
    config = write_config(root / "mediamon.toml", web)
    db = database(root / "polled.db", config)
    report = in_child("poll", str(config), db, timeout=120, all_sources=True, now=NOW)
    assert report.exit_status == 0, report.error
    return config, root / "polled.db"


def _copy(polled: tuple[Path, Path], to: Path) -> tuple[Path, str]:
    config, db = polled
    shutil.copy(db, to / "m.db")
    return config, f"sqlite:///{to / 'm.db'}"


@pytest.fixture(scope="module")
def reference(
    gated: tuple[SampleWeb, Gate],
    polled: tuple[Path, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Finds, int]:
    _, gate = gated
    root = tmp_path_factory.mktemp("reference")
    config, db = _copy(polled, root)
    gate.arm(None)
    done = mediamon("--config", str(config), "--db", db, "linkbacks", "--all", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    found = finds(db)
    assert found[0], "the harvest found nothing: the comparison would be empty"
    return found, gate.served


@pytest.mark.parametrize(
    ("sig", "point"),
    [(signal.SIGINT, 0.3), (signal.SIGTERM, 0.7), (signal.SIGKILL, 0.5)],
    ids=["sigint", "sigterm", "sigkill"],
)
def test_an_interrupted_harvest_loses_nothing_and_stores_nothing_twice(
    gated: tuple[SampleWeb, Gate],
    polled: tuple[Path, Path],
    reference: tuple[Finds, int],
    tmp_path: Path,
    sig: signal.Signals,
    point: float,
) -> None:
    _, gate = gated
    expected, requests = reference
    config, db = _copy(polled, tmp_path)
    base = ("--config", str(config), "--db", db)
    after = int(requests * point)
    status, _, err = interrupt(gate, after, sig, *base, "linkbacks", "--all", cwd=tmp_path)
    if sig == signal.SIGKILL:
        assert status == -signal.SIGKILL
    else:
        assert status == 130, err
        assert "interrupted" in err
        run = last_run(db)
        assert (run.job, run.exit_status) == ("harvest", 130)
    assert finds(db)[0] <= expected[0]
    again = mediamon(*base, "linkbacks", "--all", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert finds(db) == expected
