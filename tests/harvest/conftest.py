"""The harvest tests' world: the sample web, a small fixture site for bad input, configs.

The sample web (one server per session, in a thread, short timeouts, no pacing) is the good
world with its ground truth; tests that move it to another day start their own. The fixture
site (``fixtures.test``, a second local server) serves hand-written pages for what the sample
web lacks: broken comment markup, a "410 Gone" meta tombstone, a flaky source. Every run
goes through a child process, as the scheduler runs them.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from crawler.matching.urls import canonicalize_url
from crawler.storage.db import make_engine, session_scope
from crawler.storage.models import DocumentRow, MentionRow
from sampleweb.server.router import SampleWeb

DATA = Path(__file__).resolve().parent.parent / "data" / "harvest"
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
ORG_AUTHOR = "Ines Varga"
TIMEOUT_SECONDS = 4.0  # generous: a busy machine must not turn a good page into a timeout
SLOW_SECONDS = 9.0
HANG_SECONDS = 12.0
FIXTURE_HOST = "fixtures.test"


def toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_web(day: int = 1) -> SampleWeb:
    web = SampleWeb(scale="small", day=day, slow_seconds=SLOW_SECONDS, hang_seconds=HANG_SECONDS)
    web.start(0)
    return web


@pytest.fixture(scope="session")
def web() -> Iterator[SampleWeb]:
    """The sample web on day 1 (tests must not change its day: see ``day_web``)."""
    sample = new_web()
    yield sample
    sample.stop()


@pytest.fixture
def day_web() -> Iterator[SampleWeb]:
    """A sample web of this test's own, whose day the test may move."""
    sample = new_web()
    yield sample
    sample.stop()


def write_config(
    path: Path,
    web: SampleWeb,
    *,
    allow_loopback: bool = True,
    extra_hosts: Mapping[str, str] | None = None,
    max_body: int = 1024 * 1024,
    recheck: str = "[1, 7]",
    wpcom_api_base: str = "",
) -> Path:
    """A config for the sample web's organisation: its own blog (and, in the archive scenario,
    its blog on WordPress.com), no press sources."""
    org = web.world.org
    truth = web.truth()
    hosts = dict.fromkeys(web.hosts(), "127.0.0.1") | dict(extra_hosts or {})
    resolve = ", ".join(f'{toml_string(h)} = "{ip}"' for h, ip in sorted(hosts.items()))
    allow = '["127.0.0.1"]' if allow_loopback else "[]"
    hosted = truth.get("wpcom_blog")  # the archive scenario's blog on WordPress.com
    wpcom_site = (
        f"""
[[organisation.sites]]
url = {toml_string(hosted["site"])}
feed = {toml_string(hosted["feed"])}
platform = "wordpress.com"
"""
        if hosted
        else ""
    )
    path.write_text(
        f"""[organisation]
name = {toml_string(org.name)}
timezone = {toml_string(org.timezone)}
authors = [{toml_string(ORG_AUTHOR)}]

[[organisation.sites]]
url = {toml_string(web.url(org.host))}
feed = {toml_string(web.url(org.host, "/feed/"))}
platform = "wordpress"
{wpcom_site}
[linkbacks]
wpcom_api_base = {toml_string(wpcom_api_base or truth["organisation"]["wpcom_api_base"])}
recheck_after_days = {recheck}

[receiver]
per_ip_per_minute = 1000
per_domain_per_minute = 1000

[crawl]
user_agent = "mediamon-tests (+https://orbitalregistry.test/bot)"
allow_hosts = {allow}
resolve = {{ {resolve} }}
download_delay = 0
concurrent_per_host = 16
timeout = {TIMEOUT_SECONDS}
max_body_bytes = {max_body}
max_redirects = 5
""",
        encoding="utf-8",
    )
    return path


# ----------------------------------------------------------------------------- ground truth


def published(truth: Mapping[str, Any], url: str) -> str:
    """The URL of the post ``url`` (any spelling) points to, as the post publishes it: what
    a mention's target is stored as (#16)."""
    posts = {canonicalize_url(p["url"]): p["url"] for p in truth["posts"]}
    return posts.get(canonicalize_url(url), url)


def expected_linkbacks(truth: Mapping[str, Any], day: int) -> set[tuple[str, str, str]]:
    """(kind, document key, published target) of every harvestable linkback on ``day``."""
    out = set()
    for item in truth["linkbacks"]:
        if item["kind"] == "link" or item["day"] > day:
            continue
        target = published(truth, item["target"])
        if item["kind"] == "comment":
            base, _, fragment = item["source"].partition("#")
            key = f"{canonicalize_url(base)}#{fragment}"
        else:
            key = canonicalize_url(item["source"])
        out.add((item["kind"], key, target))
    return out


@dataclass(frozen=True)
class StoredMention:
    id: int
    kind: str
    key: str
    url: str
    target: str
    status: str
    found_via: str
    routes: tuple[str, ...]
    title: str
    author: str
    site: str
    language: str
    context: str
    note: str
    by_organisation: bool
    checks: int
    next_check_at: datetime | None


def stored_mentions(db_url: str) -> list[StoredMention]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        rows = session.execute(
            select(MentionRow, DocumentRow).join(
                DocumentRow, DocumentRow.id == MentionRow.document_id
            )
        ).all()
        out = [
            StoredMention(
                id=m.id,
                kind=m.kind,
                key=d.canonical_url,
                url=d.url,
                target=m.target,
                status=m.status,
                found_via=m.found_via,
                routes=tuple(m.routes or ()),
                title=d.title,
                author=m.author or d.author,
                site=d.site,
                language=d.language,
                context=m.context,
                note=m.note,
                by_organisation=m.by_organisation,
                checks=m.checks,
                next_check_at=m.next_check_at,
            )
            for m, d in rows
        ]
    engine.dispose()
    return out


# ----------------------------------------------------------------------------- fixture site

Route = tuple[int, dict[str, str], bytes]


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Route | Callable[[], Route]]] = {}

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        found = self.routes.get(self.path.split("?", 1)[0])
        if callable(found):
            found = found()
        status, headers, body = found or (404, {"Content-Type": "text/plain"}, b"not found")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _serve
    do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return None


@dataclass
class FixtureSite:
    """A tiny HTTP server on 127.0.0.1 answering ``fixtures.test`` from a route table."""

    server: http.server.ThreadingHTTPServer
    thread: threading.Thread
    routes: dict[str, Route | Callable[[], Route]]

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://{FIXTURE_HOST}:{self.port}{path}"

    def add(self, path: str, status: int, body: bytes | str, **headers: str) -> None:
        data = body.encode() if isinstance(body, str) else body
        names = {k.replace("_", "-"): v for k, v in headers.items()}
        names.setdefault("Content-Type", "text/html; charset=utf-8")
        self.routes[path] = (status, names, data)


@pytest.fixture
def fixture_site() -> Iterator[FixtureSite]:
    routes: dict[str, Route | Callable[[], Route]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield FixtureSite(server, thread, routes)
    server.shutdown()
    server.server_close()
