"""`mediamon poll` interrupted (SIGINT, SIGTERM, SIGKILL) at several points, then run again:
the stored finds equal an uninterrupted poll's, nothing lost and nothing twice (#18).

The interruptions are driven by events, not sleeps (``tests.interruption``): the CLI is
signalled once the sample web has served N requests, every later answer held back, so the
poll is caught with feeds or article pages in flight.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.storage.db import make_engine, session_scope
from crawler.storage.models import FeedEntryRow
from sampleweb.server.router import SampleWeb
from tests.feeds.conftest import HANG_SECONDS, SLOW_SECONDS, world_sources, write_config
from tests.interruption import Finds, Gate, database, finds, interrupt, last_run, mediamon

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gated() -> Iterator[tuple[SampleWeb, Gate]]:
    web = SampleWeb(scale="small", day=1, slow_seconds=SLOW_SECONDS, hang_seconds=HANG_SECONDS)
    gate = Gate.install(web)
    web.start(0)
    yield web, gate
    web.stop()


def due_count(db: str) -> int:
    """Feed entries whose article page is still due."""
    engine = make_engine(db)
    with session_scope(engine) as session:
        due = session.scalars(select(FeedEntryRow.id).where(FeedEntryRow.article_due.is_not(None)))
        value = len(due.all())
    engine.dispose()
    return value


@pytest.fixture(scope="module")
def reference(
    gated: tuple[SampleWeb, Gate], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Finds, int]:
    """An uninterrupted poll: its finds, and how many requests it made."""
    web, gate = gated
    root = tmp_path_factory.mktemp("reference")
    config = write_config(root / "mediamon.toml", web, world_sources(web))
    db = database(root / "ref.db", config)
    gate.arm(None)
    done = mediamon("--config", str(config), "--db", db, "poll", "--all", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert due_count(db) == 0
    found = finds(db)
    assert found[0], "the uninterrupted poll found nothing: the comparison would be empty"
    return found, gate.served


@pytest.mark.parametrize(
    ("sig", "point"),
    [
        (signal.SIGINT, 0.2),  # feeds still in flight
        (signal.SIGINT, 0.6),  # feeds stored, article pages in flight
        (signal.SIGTERM, 0.4),
        (signal.SIGKILL, 0.6),
    ],
    ids=["sigint-early", "sigint-articles", "sigterm-middle", "sigkill-articles"],
)
def test_an_interrupted_poll_loses_nothing_and_stores_nothing_twice(
    gated: tuple[SampleWeb, Gate],
    reference: tuple[Finds, int],
    tmp_path: Path,
    sig: signal.Signals,
    point: float,
) -> None:
    web, gate = gated
    expected, requests = reference
    config = write_config(tmp_path / "mediamon.toml", web, world_sources(web))
    db = database(tmp_path / "m.db", config)
    base = ("--config", str(config), "--db", db)
    status, _, err = interrupt(
        gate, int(requests * point), sig, *base, "poll", "--all", cwd=tmp_path
    )
    if sig == signal.SIGKILL:
        assert status == -signal.SIGKILL
    else:
        assert status == 130, err
        assert "interrupted" in err
        run = last_run(db)
        assert run.exit_status == 130
        assert run.finished_at is not None
    assert finds(db)[0] <= expected[0]
    again = mediamon(*base, "poll", "--all", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert finds(db) == expected
    assert due_count(db) == 0
