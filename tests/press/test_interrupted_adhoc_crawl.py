"""`mediamon crawl URL` (one page, no hops) stopped by SIGINT or SIGTERM while its only page is
in flight: it exits 130, says it was interrupted (never "Nothing about the organisation found",
which would read as a result), and, with a database, the run is recorded as interrupted (#18,
finding 2).

Driven by events, never sleeps: the local server's page handler tells the test it has the
request and then waits; the test sends the signal, waits until the crawl says it is shutting
down (Scrapy's own log line, shown with ``-v``), and only then lets the page through, so the
crawl cannot end normally before the signal is handled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.interruption import CLI, database, last_run

pytestmark = pytest.mark.slow

#: Longest wait for any one event; a run that gets nowhere fails the test instead of hanging.
WAIT_SECONDS = 120.0
PAGE = (
    b"<html><head><title>Harbour news</title></head><body><article>"
    + b"<p>The harbour board met on Tuesday to discuss the new ferry timetable.</p>" * 5
    + b"</article></body></html>"
)
CONFIG = """[organisation]
name = "Orbital Registry Agency"
timezone = "Europe/Vienna"

[[queries]]
name = "ora"
query = "\\"Orbital Registry Agency\\""

[crawl]
obey_robots = false
allow_hosts = ["127.0.0.1"]
download_delay = 0
timeout = 110
"""


@dataclass
class Held:
    """What the page handler and the test tell each other."""

    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    held: Held

    def do_GET(self) -> None:
        self.held.received.set()
        self.held.release.wait(WAIT_SECONDS)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def page() -> Iterator[tuple[str, Held]]:
    held = Held()
    handler = type("Handler", (_Handler,), {"held": held})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/news/ferry", held
    held.release.set()
    server.shutdown()
    server.server_close()


def _interrupted(sig: signal.Signals, held: Held, *args: str, cwd: Path) -> tuple[int, str, str]:
    """Run the CLI with ``args``; signal it once the page is requested, release the page once
    the crawl is shutting down. Returns (exit status, stdout, stderr)."""
    stopping = threading.Event()
    lines: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-c", CLI, "-v", *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "80"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stderr is not None
        assert proc.stdout is not None

        def watch() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                lines.append(line)
                if "shutting down gracefully" in line:
                    stopping.set()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            assert held.received.wait(WAIT_SECONDS), "the crawl never asked for the page"
            proc.send_signal(sig)
            assert stopping.wait(WAIT_SECONDS), "the crawl never began to shut down"
        finally:
            held.release.set()
        out = proc.stdout.read()
        proc.wait(WAIT_SECONDS)
        watcher.join(WAIT_SECONDS)
    return proc.returncode, out, "".join(lines)


def _config(root: Path) -> Path:
    path = root / "mediamon.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_an_interrupted_crawl_exits_130_says_so_and_records_the_run(
    page: tuple[str, Held], tmp_path: Path, sig: signal.Signals
) -> None:
    url, held = page
    config = _config(tmp_path)
    db = database(tmp_path / "m.db", config)
    status, out, err = _interrupted(
        sig, held, "--config", str(config), "--db", db, "crawl", url, cwd=tmp_path
    )
    assert status == 130, out + err
    assert "Interrupted before the crawl ended: nothing found so far." in out
    assert "Nothing about the organisation found" not in out
    assert "mediamon: interrupted after" in err
    assert "nothing could be fetched" not in err
    run = last_run(db)
    assert run.job == "adhoc"
    assert run.exit_status == 130
    assert (run.error or "").startswith("interrupted after")


def test_an_interrupted_crawl_without_a_database_exits_130_too(
    page: tuple[str, Held], tmp_path: Path
) -> None:
    url, held = page
    config = _config(tmp_path)
    status, out, err = _interrupted(
        signal.SIGINT, held, "--config", str(config), "crawl", "--no-store", url, cwd=tmp_path
    )
    assert status == 130, out + err
    assert "Interrupted before the crawl ended: nothing found so far." in out
    assert "Nothing about the organisation found" not in out
    assert "mediamon: interrupted after" in err
    assert not (tmp_path / "mediamon.db").exists()
