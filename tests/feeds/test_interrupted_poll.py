"""`mediamon poll` interrupted (SIGINT, SIGTERM, SIGKILL) at several points, then run again:
the stored finds equal an uninterrupted poll's, nothing lost and nothing twice (#18).

The interruptions are driven by events, not sleeps: a gate in front of the sample web counts
the requests it serves; once it has served N of them it sets an event and holds every later
answer (longer than the crawl's timeout), so the poll is caught with work in flight. The test
then signals the CLI process, waits for it to end, opens the gate and polls again.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.storage.db import make_engine, session_scope
from crawler.storage.models import CrawlRunRow, DocumentRow, FeedEntryRow, MentionRow
from sampleweb.pages.messages import Request, Response
from sampleweb.server.router import Router, SampleWeb
from tests.feeds.conftest import HANG_SECONDS, SLOW_SECONDS, world_sources, write_config

pytestmark = pytest.mark.slow

CLI = "import sys; from scheduler.cli import cli\ncli(sys.argv[1:], prog_name='mediamon')"
#: Held answers wait this long: far beyond the crawl's timeout, so they never arrive.
HOLD_SECONDS = 120.0


class Gate:
    """The sample web's app behind a counter: after ``open_for`` requests, ``reached`` is set
    and every later answer is held back."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.served = 0
        self.open_for: int | None = None
        self.reached = threading.Event()
        self._lock = threading.Lock()

    def arm(self, requests: int | None) -> None:
        with self._lock:
            self.served, self.open_for = 0, requests
            self.reached.clear()

    def __call__(self, req: Request) -> Response:
        with self._lock:
            self.served += 1
            held = self.open_for is not None and self.served > self.open_for
            if held:
                self.reached.set()
        response = self.router(req)
        return dataclasses.replace(response, delay=HOLD_SECONDS) if held else response


@pytest.fixture(scope="module")
def gated() -> Iterator[tuple[SampleWeb, Gate]]:
    web = SampleWeb(scale="small", day=1, slow_seconds=SLOW_SECONDS, hang_seconds=HANG_SECONDS)
    gate = Gate(web.router)
    web.server.app = gate
    web.start(0)
    yield web, gate
    web.stop()


def _database(path: Path, config: Path) -> str:
    url = f"sqlite:///{path}"
    done = _run("--config", str(config), "--db", url, "db", "upgrade", cwd=path.parent)
    assert done.returncode == 0, done.stderr
    return url


def _command(config: Path, db: str) -> list[str]:
    return [sys.executable, "-c", CLI, "--config", str(config), "--db", db, "poll", "--all"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "80"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


Finds = tuple[set[tuple[str, str, str]], int, set[str], int]


def finds(db: str) -> Finds:
    """The stored mentions (document, kind, target) and their count; the documents with text
    and their count: equal sets and equal counts mean nothing lost and nothing twice."""
    engine = make_engine(db)
    with session_scope(engine) as session:
        rows = session.execute(
            select(DocumentRow.canonical_url, MentionRow.kind, MentionRow.target).join(
                DocumentRow, DocumentRow.id == MentionRow.document_id
            )
        ).all()
        docs = list(
            session.scalars(select(DocumentRow.canonical_url).where(DocumentRow.text != ""))
        )
    engine.dispose()
    mentions = {(str(u), str(k), str(t)) for u, k, t in rows}
    return mentions, len(rows), set(docs), len(docs)


def due_count(db: str) -> int:
    engine = make_engine(db)
    with session_scope(engine) as session:
        value = len(
            session.scalars(
                select(FeedEntryRow.id).where(FeedEntryRow.article_due.is_not(None))
            ).all()
        )
    engine.dispose()
    return value


def last_run(db: str) -> CrawlRunRow:
    engine = make_engine(db)
    with session_scope(engine) as session:
        row = session.scalars(select(CrawlRunRow).order_by(CrawlRunRow.id.desc())).first()
        assert row is not None
        session.expunge(row)
    engine.dispose()
    return row


@pytest.fixture(scope="module")
def reference(
    gated: tuple[SampleWeb, Gate], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Finds, int]:
    """An uninterrupted poll: its finds, and how many requests it made."""
    web, gate = gated
    root = tmp_path_factory.mktemp("reference")
    config = write_config(root / "mediamon.toml", web, world_sources(web))
    db = _database(root / "ref.db", config)
    gate.arm(None)
    done = _run("--config", str(config), "--db", db, "poll", "--all", cwd=root)
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
    db = _database(tmp_path / "m.db", config)
    gate.arm(max(1, int(requests * point)))
    with subprocess.Popen(
        _command(config, db),
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "80"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert gate.reached.wait(240), "the poll never reached the interruption point"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=240)
    gate.arm(None)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, out + err
        assert "interrupted" in err
        run = last_run(db)
        assert run.exit_status == 130
        assert run.finished_at is not None
    assert finds(db)[0] <= expected[0]
    again = _run("--config", str(config), "--db", db, "poll", "--all", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert finds(db) == expected
    assert due_count(db) == 0
