"""robots.txt fetched once per host across the fleet (#19): crawls in separate processes
sharing one Redis (as workers do) ask a local server for robots.txt once, all of them obey
it, and the shared copy expires after ``crawl.robots_cache_seconds`` on the crawl's own
clock, driven by hand here (the crawl's ``MEDIAMON_CLOCK_OFFSET`` setting)."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.fetching.robots_cache import CachedRobots, is_fresh
from tests.queue.conftest import queue_section

HOST = "robots-fleet.test"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CRAWL = (
    "import json, sys\n"
    "from datetime import datetime\n"
    "from crawler.clock import CrawlClock\n"
    "from crawler.config import load_config\n"
    "from crawler.runs.site import run_adhoc_crawl\n"
    "clock = CrawlClock.starting_at(datetime.fromisoformat(sys.argv[2]))\n"
    "report = run_adhoc_crawl(load_config(sys.argv[1]), None, sys.argv[3:],"
    " queries={'q1': 'hello'}, settings=clock.settings())\n"
    "print(json.dumps({'pages': report.pages, 'problems': [p.reason for p in report.problems]}))\n"
)


@pytest.fixture
def server() -> Iterator[tuple[Counter[str], int]]:
    """A host whose robots.txt forbids /private/; every path asked for is counted."""
    asked: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                asked[self.path] += 1
            if self.path == "/robots.txt":
                body, kind = b"User-agent: *\nDisallow: /private/\n", "text/plain"
            else:
                body, kind = (
                    b"<html><title>page</title><body>hello world</body></html>",
                    ("text/html"),
                )
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield asked, int(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


def config_file(tmp_path: Path, prefix: str | None) -> Path:
    path = tmp_path / "mediamon.toml"
    path.write_text(
        f"""[organisation]
name = "Robots Test"
timezone = "UTC"

[crawl]
user_agent = "mediamon-tests"
allow_hosts = ["127.0.0.1"]
resolve = {{ "{HOST}" = "127.0.0.1" }}
download_delay = 0
robots_cache_seconds = 86400
timeout = 30
{queue_section(prefix) if prefix else ""}""",
        encoding="utf-8",
    )
    return path


def start(config: Path, now: datetime, urls: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CRAWL, str(config), now.isoformat(), *urls],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def test_a_copy_is_fresh_for_its_max_age() -> None:
    entry = CachedRobots(200, b"", fetched_at=1000.0)
    assert is_fresh(entry, 1000.0 + 86399, 86400)
    assert not is_fresh(entry, 1000.0 + 86400, 86400)
    assert CachedRobots.from_json(entry.to_json()) == entry
    assert CachedRobots.from_json(b"not json") is None  # another format: fetched again


@pytest.mark.slow
def test_two_crawls_fetch_robots_once_and_the_copy_expires(
    server: tuple[Counter[str], int], tmp_path: Path, queue_prefix: str
) -> None:
    asked, port = server
    config = config_file(tmp_path, queue_prefix)
    base = f"http://{HOST}:{port}"
    first = [f"{base}/a/{n}" for n in range(3)] + [f"{base}/private/1"]
    second = [f"{base}/b/{n}" for n in range(3)] + [f"{base}/private/2"]
    crawls = [start(config, T0, first), start(config, T0, second)]
    results = [finish(proc) for proc in crawls]
    assert asked["/robots.txt"] == 1  # two processes, one request
    assert asked["/private/1"] == asked["/private/2"] == 0  # both obeyed it
    assert all(asked[f"/{d}/{n}"] == 1 for d in "ab" for n in range(3))
    assert all(r["pages"] == 3 for r in results), results

    later = finish(start(config, T0 + timedelta(hours=23), [f"{base}/c/1"]))
    assert later["pages"] == 1
    assert asked["/robots.txt"] == 1  # still fresh a day minus an hour later

    # The crawls' clocks start at T0 and run with the wall clock: an hour's margin.
    finish(start(config, T0 + timedelta(hours=25), [f"{base}/d/1"]))
    assert asked["/robots.txt"] == 2  # more than a day later: fetched again, once


@pytest.mark.slow
def test_every_page_waiting_for_robots_obeys_it_without_a_queue(
    server: tuple[Counter[str], int], tmp_path: Path
) -> None:
    """Embedded mode: four pages of one host wait for its robots.txt together, and the
    last of them is refused too (Scrapy's own middleware handed None to every waiter after
    the first, so a forbidden page among them was fetched)."""
    asked, port = server
    base = f"http://{HOST}:{port}"
    urls = [f"{base}/e/{n}" for n in range(3)] + [f"{base}/private/e"]
    result = finish(start(config_file(tmp_path, None), T0, urls))
    assert asked["/robots.txt"] == 1
    assert asked["/private/e"] == 0
    assert result["pages"] == 3
    assert result["problems"] == ["disallowed by robots.txt"]
