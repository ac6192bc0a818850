"""Interrupting a CLI run on the sample web at a chosen point, driven by events (#18).

``Gate`` stands in front of the sample web's app and counts the requests it serves; once it
has served N, it sets ``reached`` and holds every later answer far beyond the crawl's timeout,
so the run is caught with work in flight. ``interrupt`` starts a CLI command, waits for that
event (never a fixed sleep), sends the signal and returns the process's exit status and
output.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sqlalchemy import select

from crawler.storage.db import make_engine, session_scope
from crawler.storage.models import CrawlRunRow, DocumentRow, MentionRow
from sampleweb.pages.messages import Request, Response
from sampleweb.server.router import SampleWeb
from tests.helpers import CLI, run_mediamon

#: Held answers wait this long: far beyond the crawl's timeout, so they never arrive.
HOLD_SECONDS = 120.0


class Gate:
    """The sample web's app behind a counter (see the module docstring)."""

    def __init__(self, app: Callable[[Request], Response]) -> None:
        self.app = app
        self.served = 0
        self.open_for: int | None = None
        self.reached = threading.Event()
        self._lock = threading.Lock()

    @classmethod
    def install(cls, web: SampleWeb) -> Gate:
        gate = cls(web.router)
        web.server.app = gate
        return gate

    def arm(self, requests: int | None) -> None:
        """Hold every answer after the next ``requests`` (None: hold nothing) and count anew."""
        with self._lock:
            self.served, self.open_for = 0, requests
            self.reached.clear()

    def __call__(self, req: Request) -> Response:
        with self._lock:
            self.served += 1
            held = self.open_for is not None and self.served > self.open_for
            if held:
                self.reached.set()
        response = self.app(req)
        return dataclasses.replace(response, delay=HOLD_SECONDS) if held else response


def mediamon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI to the end at 80 columns."""
    return run_mediamon(*args, cwd=cwd)


def interrupt(
    gate: Gate,
    after: int,
    sig: signal.Signals,
    *args: str,
    cwd: Path,
    program: Sequence[str] = (sys.executable, "-c", CLI),
    env: Mapping[str, str] | None = None,
) -> tuple[int, str, str]:
    """Run ``program`` (the CLI) with ``args``; once the sample web has served ``after``
    requests, send ``sig``. Returns (exit status, stdout, stderr); the gate is open again
    afterwards."""
    gate.arm(max(1, after))
    try:
        with subprocess.Popen(
            [*program, *args],
            cwd=cwd,
            env={**os.environ, "COLUMNS": "80", **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as proc:
            if not gate.reached.wait(240):
                proc.kill()
                out, err = proc.communicate()
                raise AssertionError(f"the run never reached the interruption point: {err}")
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=240)
    finally:
        gate.arm(None)
    return proc.returncode, out, err


#: (mentions as (document, kind, target), how many mention rows, documents with text, how many)
Finds = tuple[set[tuple[str, str, str]], int, set[str], int]


def finds(db: str) -> Finds:
    """The stored mentions and documents: equal sets and equal counts against an
    uninterrupted run mean nothing lost and nothing twice."""
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


def last_run(db: str) -> CrawlRunRow:
    """The newest ``crawl_runs`` row."""
    engine = make_engine(db)
    with session_scope(engine) as session:
        row = session.scalars(select(CrawlRunRow).order_by(CrawlRunRow.id.desc())).first()
        assert row is not None
        session.expunge(row)
    engine.dispose()
    return row


def database(path: Path, config: Path) -> str:
    """A SQLite database at ``path`` built by ``mediamon db upgrade``."""
    url = f"sqlite:///{path}"
    done = mediamon("--config", str(config), "--db", url, "db", "upgrade", cwd=path.parent)
    assert done.returncode == 0, done.stderr
    return url
