"""Per-blog slots under a platform-wide cap (#16), measured on a local server's own record
of the requests it is serving at once: two blogs of one platform are fetched in parallel,
two pages of one blog never exceed the per-blog limit, and 50 blogs of one platform stay
under the platform cap. The crawl runs the production settings in a child process."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from crawler.fetching.platforms import PlatformCapMiddleware
from crawler.matching.sites import platform_of, site_key

PLATFORM = "blogs.test"
CAP = 4
CHECK = (
    "import json, sys\n"
    "from crawler.config import load_config\n"
    "from crawler.runs.linkbacks import run_check\n"
    "found = run_check(load_config(sys.argv[1]), sys.argv[2:])\n"
    "print(json.dumps([f.error for f in found]))\n"
)


@dataclass
class Meter:
    """In-flight requests per host and per platform, and the peaks seen."""

    lock: threading.Condition = field(default_factory=threading.Condition)
    hosts: Counter[str] = field(default_factory=Counter)
    peak_host: Counter[str] = field(default_factory=Counter)
    platform: int = 0
    peak_platform: int = 0
    wait_for: dict[str, str] = field(default_factory=dict)  # host -> host it waits for
    seen: set[str] = field(default_factory=set)
    paths: dict[str, list[str]] = field(default_factory=dict)  # host -> paths in flight
    overlaps: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    together: int = 0  # how many times the platform reached ``fill`` in flight
    fill: int = 0  # hold each request until this many are in flight (0: do not)
    starts: list[float] = field(default_factory=list)  # when each request arrived (monotonic)
    linger: float = 0.0  # hold each request this long unless a second one to its host comes


def serve(meter: Meter) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").split(":", 1)[0]
            with meter.lock:
                meter.hosts[host] += 1
                meter.paths.setdefault(host, []).append(self.path)
                if len(meter.paths[host]) > 1:
                    meter.overlaps.append((host, tuple(meter.paths[host])))
                meter.peak_host[host] = max(meter.peak_host[host], meter.hosts[host])
                meter.platform += 1
                meter.peak_platform = max(meter.peak_platform, meter.platform)
                meter.seen.add(host)
                meter.starts.append(time.monotonic())
                meter.lock.notify_all()
                other = meter.wait_for.get(host)
                if other:
                    meter.lock.wait_for(lambda: meter.hosts[other] > 0, timeout=20)
                if meter.linger:  # time for an overlap to show: none comes if the cap holds
                    meter.lock.wait_for(lambda: meter.hosts[host] > 1, timeout=meter.linger)
                full = lambda: meter.platform >= meter.fill  # noqa: E731
                if meter.fill and meter.lock.wait_for(full, timeout=2):
                    meter.together += 1
                # Counted out before the answer leaves: the client may send its next request
                # the moment it has this one's, and must not be seen overlapping it.
                meter.hosts[host] -= 1
                meter.paths[host].remove(self.path)
                meter.platform -= 1
                meter.lock.notify_all()
            body = b"<html><head><title>blog</title></head><body>hello</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def meter() -> Iterator[tuple[Meter, int]]:
    m = Meter()
    server = serve(m)
    yield m, int(server.server_address[1])
    server.shutdown()
    server.server_close()


def write_config(
    tmp_path: Path,
    hosts: list[str],
    *,
    rate: float = 0,
    extra: str = "",
    name: str = "mediamon",
    delay: float = 0.05,
) -> Path:
    """The crawl's config: production settings, the hosts resolved to the local server."""
    resolve = ", ".join(f'"{h}" = "127.0.0.1"' for h in sorted(set(hosts)))
    config = tmp_path / f"{name}.toml"
    config.write_text(
        f"""[organisation]
name = "Cap Test"
timezone = "UTC"

[crawl]
user_agent = "mediamon-tests"
allow_hosts = ["127.0.0.1"]
resolve = {{ {resolve} }}
download_delay = {delay}
concurrent_per_host = 1
platform_concurrency = {CAP}
platform_rate = {rate}
blog_platforms = ["{PLATFORM}"]
timeout = 30
{extra}""",
        encoding="utf-8",
    )
    return config


def start_crawl(config: Path, urls: list[str]) -> subprocess.Popen[str]:
    """``run_check`` over ``urls`` in a child process."""
    return subprocess.Popen(
        [sys.executable, "-c", CHECK, str(config), *urls],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_crawl(proc: subprocess.Popen[str]) -> list[str]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    errors: list[str] = json.loads(out.strip().splitlines()[-1])
    return errors


def crawl(
    tmp_path: Path, port: int, hosts: list[str], urls: list[str], rate: float = 0
) -> list[str]:
    del port
    return finish_crawl(start_crawl(write_config(tmp_path, hosts, rate=rate), urls))


def most_in_a_second(starts: list[float]) -> int:
    """The most requests that arrived within any one second."""
    ordered = sorted(starts)
    most = 0
    for i, first in enumerate(ordered):
        most = max(most, sum(1 for t in ordered[i:] if t - first < 1.0))
    return most


def test_platform_and_blog_of_a_host() -> None:
    assert platform_of("alice.wordpress.com") == ("wordpress.com", "alice.wordpress.com")
    assert platform_of("www.alice.wordpress.com")[1] == "alice.wordpress.com"
    assert platform_of("a.blogs.test", frozenset({PLATFORM})) == (PLATFORM, "a.blogs.test")
    assert platform_of("news.example") == ("", "")
    assert site_key("a.blogs.test", frozenset({PLATFORM})) == "a.blogs.test"
    assert site_key("a.blogs.test") == "blogs.test"  # not a platform unless configured
    assert PlatformCapMiddleware(0, frozenset()).limit == 1


@pytest.mark.slow
def test_two_blogs_in_parallel_two_pages_of_one_blog_not(
    meter: tuple[Meter, int], tmp_path: Path
) -> None:
    m, port = meter
    a, b = f"a.{PLATFORM}", f"b.{PLATFORM}"
    m.wait_for = {a: b, b: a}  # each answers only once the other blog is being served
    urls = [f"http://{a}:{port}/1", f"http://{b}:{port}/1"]
    assert crawl(tmp_path, port, [a, b], urls) == ["", ""]
    assert m.peak_platform == 2  # the two blogs were in flight together

    m.wait_for = {}
    m.peak_host.clear()
    c = f"c.{PLATFORM}"
    pages = [f"http://{c}:{port}/{n}" for n in range(1, 4)]
    assert crawl(tmp_path, port, [c], pages) == ["", "", ""]
    assert m.peak_host[c] == 1  # concurrent_per_host = 1 for one blog


@pytest.mark.slow
def test_pages_of_one_site_never_overlap_even_with_no_download_delay(
    meter: tuple[Meter, int], tmp_path: Path
) -> None:
    """With ``download_delay = 0`` Scrapy 2.19's slot queue starts every queued request of a
    slot at once; the site permit keeps ``concurrent_per_host = 1`` all the same."""
    m, port = meter
    m.linger = 0.3
    host = "news.plain.test"
    pages = [f"http://{host}:{port}/{n}" for n in range(1, 7)]
    assert finish_crawl(start_crawl(write_config(tmp_path, [host], delay=0), pages)) == [""] * 6
    assert len(m.starts) == 6
    assert not m.overlaps, m.overlaps
    assert max(m.peak_host.values()) == 1


@pytest.mark.slow
def test_fifty_blogs_of_one_platform_stay_under_the_cap(
    meter: tuple[Meter, int], tmp_path: Path
) -> None:
    m, port = meter
    m.fill = CAP  # hold each request until CAP are in flight: the cap is reached, not guessed
    blogs = [f"blog{n}.{PLATFORM}" for n in range(50)]
    urls = [f"http://{h}:{port}/{p}" for h in blogs for p in (1, 2)]
    errors = crawl(tmp_path, port, blogs, urls)
    assert errors == [""] * len(urls)
    assert len(m.seen) == 50
    assert m.peak_platform == CAP
    assert max(m.peak_host.values()) == 1, m.overlaps
    assert m.together >= len(urls) // 2  # most requests were served CAP at a time


@pytest.mark.slow
def test_the_platform_rate_paces_its_blogs(meter: tuple[Meter, int], tmp_path: Path) -> None:
    """``platform_rate = 10``: 30 blogs of one platform, never more than 10 requests started
    in one second (a slow machine only spreads them further), yet all fetched."""
    m, port = meter
    blogs = [f"paced{n}.{PLATFORM}" for n in range(30)]
    urls = [f"http://{h}:{port}/1" for h in blogs]
    assert crawl(tmp_path, port, blogs, urls, rate=10) == [""] * len(urls)
    assert len(m.starts) == 30
    # Requests are spaced 0.1 s apart: at most 10 start within any second (one more at the
    # window's edge when the network delivers two of them closer than they were sent).
    assert most_in_a_second(m.starts) <= 11
