"""`mediamon crawl` end to end, in subprocesses (Scrapy's reactor starts once per process).

On a sample-web article it prints the mention with its matched terms and stores it; on bad
pages served by a tiny local HTTP server (no text, binary as HTML, mislabelled encoding,
10,000 nested divs, only boilerplate naming us) and the sample web's ``huge_page`` (aborted
at the size limit) the crawl goes on and says what each page was; an address the guard
refuses is reported and, when nothing could be fetched, the exit status is 3; a bad
``--query`` exits 2 with the caret under the mistake.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sampleweb.server.router import SampleWeb
from tests.press.conftest import sample_config

pytestmark = pytest.mark.slow

DATA = Path(__file__).parents[1] / "data" / "press"
CLI = (
    "import sys; from scheduler.cli import cli; from scheduler.cmd_crawl import crawl\n"
    "if 'crawl' not in cli.commands: cli.add_command(crawl)\n"
    "cli(sys.argv[1:], prog_name='mediamon')"
)
NESTED = (
    "<html><body>"
    + "<div>" * 10_000
    + "<p>Therese Ngoumou, deep down.</p>"
    + "</div>" * 10_000
    + "</body></html>"
).encode()
MISLABELLED = (
    "<html><head><title>Visit</title><meta charset='iso-8859-1'></head><body><article>"
    + "<p>Thérèse Ngoumou visited the port on Tuesday and met the harbour board.</p>" * 5
    + "</article></body></html>"
).encode("utf-8")
CP1252_AS_UTF8 = (
    "<html><head><title>Visit</title></head><body><article>"
    + "<p>Thérèse Ngoumou visited the port on Tuesday and met the harbour board.</p>" * 5
    + "</article></body></html>"
).encode("cp1252")
TABLE = (
    "<html><head><title>Counts</title></head><body><table>"
    + "".join(
        f"<tr><td>Row {i}: the International Orbital Registry counted {i * 7} objects in"
        " the low orbits above the equator this quarter.</td></tr>"
        for i in range(12)
    )
    + "</table></body></html>"
).encode()
PAGES: dict[str, tuple[str, bytes]] = {
    "/article": ("text/html; charset=utf-8", (DATA / "article_with_links.html").read_bytes()),
    "/boilerplate": ("text/html; charset=utf-8", (DATA / "boilerplate_only.html").read_bytes()),
    "/empty": ("text/html", b""),
    "/binary": ("text/html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64),
    "/mislabelled": ("text/html; charset=iso-8859-1", MISLABELLED),
    "/nested": ("text/html; charset=utf-8", NESTED),
    "/cp1252": ("text/html; charset=utf-8", CP1252_AS_UTF8),
    "/nobody": ("text/html", b"<html><head><title>Orbital Registry Agency</title></head></html>"),
    "/table": ("text/html", TABLE),
    "/pdf": ("text/html", b"%PDF-1.7\n" + b"stream " * 500),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        content_type, body = PAGES.get(self.path, ("text/plain", b""))
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def bad_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def mediamon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def setup(sample_web: SampleWeb, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    sample_web.set_day(1)
    work = tmp_path_factory.mktemp("crawl")
    config = sample_config(sample_web, work / "mediamon.toml")
    text = config.read_text(encoding="utf-8")
    text = text.replace("[crawl]\n", "[crawl]\nmax_body_bytes = 1048576\n", 1)
    text = text.replace("[crawl.resolve]\n", '[crawl.resolve]\n"intranet.test" = "10.1.2.3"\n', 1)
    config.write_text(text, encoding="utf-8")
    db = f"sqlite:///{work / 'm.db'}"
    done = mediamon("--config", str(config), "--db", db, "db", "upgrade", cwd=work)
    assert done.returncode == 0, done.stderr
    return config, db


def test_crawl_a_sample_web_article_prints_and_stores_its_mention(
    sample_web: SampleWeb, setup: tuple[Path, str]
) -> None:
    config, db = setup
    base = ("--config", str(config), "--db", db)
    url = sample_web.url(
        "meridiantimes.test", "/politics/therese-ngoumou-orbits-are-a-shared-resource-20433.html"
    )
    shown = mediamon(*base, "crawl", url, cwd=config.parent)
    assert shown.returncode == 0, shown.stderr
    assert "1 found" in shown.stdout
    assert '"Therese Ngoumou"' in shown.stdout
    assert '"Orbital Registry Agency"' in shown.stdout
    assert "ora, secretary-general" in shown.stdout
    listed = mediamon(*base, "mentions", "--format", "json", cwd=config.parent)
    [stored] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert stored["found_via"] == "adhoc"
    assert stored["kind"] == "press"
    assert sorted(stored["queries"]) == ["ora", "secretary-general"]
    again = mediamon(*base, "crawl", "--json", url, cwd=config.parent)
    assert again.returncode == 0, again.stderr
    [item] = [json.loads(line) for line in again.stdout.splitlines()]
    assert item["first_seen_at"] == stored["first_seen_at"]  # stored once, seen again
    assert set(item) >= {"url", "kind", "title", "site", "published_at", "first_seen_at"}
    assert set(item) >= {"target", "queries", "terms", "snippet"}
    blog = mediamon(
        *base, "crawl", "--json", "--no-store", "--kind", "blog", url, cwd=config.parent
    )
    assert [json.loads(line)["kind"] for line in blog.stdout.splitlines()] == ["blog"]


def test_bad_pages_are_reported_and_the_crawl_goes_on(
    sample_web: SampleWeb, setup: tuple[Path, str], bad_server: str
) -> None:
    config, _ = setup
    urls = [f"{bad_server}{path}" for path in PAGES]
    huge = sample_web.truth()["endpoints"]["huge_page"]
    refused = f"http://intranet.test:{sample_web.port}/report"
    done = mediamon(
        "--config", str(config), "crawl", "--no-store", "--json", *urls, huge, refused,
        cwd=config.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = {json.loads(line)["url"]: json.loads(line) for line in done.stdout.splitlines()}
    assert set(found) == {
        f"{bad_server}/article",
        f"{bad_server}/mislabelled",
        f"{bad_server}/cp1252",
        f"{bad_server}/table",
    }
    assert found[f"{bad_server}/mislabelled"]["queries"] == ["secretary-general"]
    assert found[f"{bad_server}/cp1252"]["queries"] == ["secretary-general"]
    assert "Thérèse" in found[f"{bad_server}/cp1252"]["snippet"]
    assert found[f"{bad_server}/article"]["terms"] == ['"International Orbital Registry"']
    problems = done.stderr
    assert f"{bad_server}/empty: empty" in problems
    assert f"{bad_server}/binary: binary" in problems
    assert f"{bad_server}/pdf: binary" in problems
    assert f"{bad_server}/nobody: no text" in problems
    assert "Traceback" not in problems  # handled pages are reasons, not tracebacks
    assert "WARNING" not in problems
    assert f"{huge}: body too large (aborted)" in problems
    assert f"{refused}: address guard: 10.1.2.3 is a private address" in problems


def test_nothing_fetched_exits_3_and_a_bad_query_exits_2(setup: tuple[Path, str]) -> None:
    config, _ = setup
    refused = mediamon(
        "--config", str(config), "crawl", "--no-store", "http://intranet.test/x", cwd=config.parent
    )
    assert refused.returncode == 3  # nothing could be done (README, "Exit codes", #18)
    assert "address guard: 10.1.2.3 is a private address" in refused.stderr
    assert "nothing could be fetched" in refused.stderr
    bad = mediamon(
        "--config",
        str(config),
        "crawl",
        "--query",
        'ORA "WOSC',
        "https://x.test/",
        cwd=config.parent,
    )
    assert bad.returncode == 2
    assert "unbalanced quote" in bad.stderr
    assert '  ORA "WOSC\n      ^' in bad.stderr


def test_a_blog_without_article_markup_is_read_by_its_posts(
    sample_web: SampleWeb, setup: tuple[Path, str]
) -> None:
    # celestialledger.test has no og:type, JSON-LD or h-entry: its posts are recognised
    # by their dated URLs and single-article structure, its home page stays a listing.
    config, _ = setup
    home = sample_web.url("celestialledger.test")
    done = mediamon(
        "--config", str(config), "crawl", "--no-store", "--json", "--depth", "2", home,
        cwd=config.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = [json.loads(line) for line in done.stdout.splitlines()]
    urls = {item["url"] for item in found}
    assert urls, done.stderr
    assert home not in urls  # the listing's teasers are not coverage
    assert all("/2026/" in url for url in urls)
    assert "ora" in {q for item in found for q in item["queries"]}
