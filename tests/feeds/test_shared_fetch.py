"""One fetch of a feed serves every organisation that watches it (#16), on both databases.

Two organisations in one database watch the same feed on a local server that counts the
requests it gets. The first test goes the deployment's way (``db upgrade`` with both configs,
then one ``run --once`` polling for each); the others start each poll in a child as the
scheduler does, on a clock the test moves by hand (``now``). Within
``crawl.shared_fetch_seconds`` the second organisation's poll is answered from the first one's
fetch, and each organisation still stores and matches the entries for itself; once the window
has passed, the next poll asks the server again; with the setting 0, each organisation
fetches on its own.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.engine import Engine

from crawler.config import load_config
from crawler.storage.db import session_scope
from crawler.storage.mentions import list_mentions
from crawler.storage.models import FeedFetchRow, SourceRow
from crawler.storage.runs import recent_runs
from crawler.storage.sources import sync_sources
from scheduler.cli import cli
from tests.helpers import in_child

pytestmark = pytest.mark.slow

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
WINDOW = 600
ETAG = '"wire-v1"'
A, B = "Orbis Union", "Celestial Ledger"
FILLER = "The council met for a long session on orbital spectrum and debris rules. " * 4


def _feed() -> bytes:
    items = "".join(
        f"""<item><title>Story {n}</title><link>http://wire.test/story/{n}</link>
<guid>wire-{n}</guid><pubDate>Mon, 09 Nov 2026 0{n}:00:00 GMT</pubDate>
<content:encoded><![CDATA[<p>{who} said on day {n}: {FILLER}</p>]]></content:encoded></item>"""
        for n, who in ((1, A), (2, B), (3, f"{A} and {B}"))
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Wire</title><link>http://wire.test/</link>{items}</channel></rss>"
    ).encode()


class Wire:
    """A feed server that counts what it is asked and answers If-None-Match with 304."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        body, hits = _feed(), self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits[self.path] += 1
                if self.path == "/old.xml":  # the feed moved for good
                    self.send_response(301)
                    self.send_header("Location", "/feed.xml")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == ETAG:
                    self.send_response(304)
                    self.send_header("ETag", ETAG)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", ETAG)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.xml"
        self.old_url = self.url.replace("/feed.xml", "/old.xml")
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def wire() -> Iterator[Wire]:
    server = Wire()
    yield server
    server.close()


def _config(folder: Path, org: str, url: str, window: int) -> Path:
    path = folder / f"{org.split()[0].lower()}.toml"
    path.write_text(
        f"""[organisation]
name = "{org}"

[[queries]]
name = "us"
query = '"{org}"'

[[sources]]
name = "wire"
url = "{url}"
kind = "press"

[crawl]
allow_hosts = ["127.0.0.1"]
download_delay = 0
timeout = 5
shared_fetch_seconds = {window}
""",
        encoding="utf-8",
    )
    return path


def _register(engine: Engine, *configs: Path) -> None:
    """Every organisation's sources, as ``mediamon --config a --config b db upgrade`` does."""
    with session_scope(engine) as session:
        for path in configs:
            sync_sources(session, load_config(path), T0)


def _poll(config: Path, db: str, at: datetime) -> Any:
    report = in_child("poll", config, db, timeout=60, all_sources=True, now=at)
    assert report.exit_status == 0, report.error
    return report


def _found(engine: Engine, org: str) -> set[str]:
    with session_scope(engine) as session:
        return {m.url for m in list_mentions(session, org)}


def _cli(a: Path, b: Path, db: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(a), "--config", str(b), "--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_one_fetch_serves_both_organisations_within_the_window(
    wire: Wire, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """The way a deployment runs it: ``db upgrade`` registers both organisations' sources,
    then one ``run`` polls for each in turn, each poll in its own child."""
    a = _config(tmp_path, A, wire.old_url, WINDOW)  # both watch a feed that moved (301)
    b = _config(tmp_path, B, wire.old_url, WINDOW)
    _cli(a, b, db_url, "db", "upgrade")  # registered now: due from now on
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    _cli(a, b, db_url, "run", "--once", "--job", "poll", "--clock", f"{start.isoformat()}x1")
    assert (wire.hits["/old.xml"], wire.hits["/feed.xml"]) == (1, 1)  # B got A's fetch

    with session_scope(engine) as session:
        polls = {r.org: r.stats for r in recent_runs(session) if r.job == "poll"}
        rows = {r.org: r for r in session.scalars(select(SourceRow))}
    assert (polls[A]["shared"], polls[B]["shared"]) == (0, 1)
    assert polls[B]["fetched"] == 1
    assert polls[B]["new_entries"] == 3  # stored for B as if B had fetched
    assert rows[A].etag == rows[B].etag == ETAG  # B's own poll state, with the validators
    assert rows[B].body_hash == rows[A].body_hash
    shared_from = datetime.fromisoformat(rows[B].events[-1]["shared_from"])
    assert start <= shared_from < start + timedelta(minutes=5)  # A's fetch, by the run's clock
    assert "shared_from" not in rows[A].events[-1]
    # The redirect counts for B as for A: B's row will move to the new URL just the same.
    assert rows[B].events[-1]["final_url"] == rows[A].events[-1]["final_url"] == wire.url
    assert rows[B].redirect_url == rows[A].redirect_url
    assert rows[B].redirect_count == rows[A].redirect_count == 1

    # Each organisation matched the entries by its own query, into its own finds.
    assert _found(engine, A) == {"http://wire.test/story/1", "http://wire.test/story/3"}
    assert _found(engine, B) == {"http://wire.test/story/2", "http://wire.test/story/3"}


def test_past_the_window_the_next_poll_fetches_again(
    wire: Wire, sqlite_engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    a = _config(tmp_path, A, wire.url, WINDOW)
    b = _config(tmp_path, B, wire.url, WINDOW)
    _register(sqlite_engine, a, b)
    _poll(a, sqlite_url, T0)
    late = _poll(b, sqlite_url, T0 + timedelta(seconds=WINDOW + 60))
    assert wire.hits["/feed.xml"] == 2
    assert late.shared == 0
    assert late.fetched == 1
    assert _found(sqlite_engine, B) == {"http://wire.test/story/2", "http://wire.test/story/3"}
    with session_scope(sqlite_engine) as session:
        kept = session.scalars(select(FeedFetchRow)).one()  # B's fetch now serves A
        assert kept.org == B
        assert kept.etag == ETAG


def test_with_the_setting_0_each_organisation_fetches(
    wire: Wire, sqlite_engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    a = _config(tmp_path, A, wire.url, 0)
    b = _config(tmp_path, B, wire.url, 0)
    _register(sqlite_engine, a, b)
    _poll(a, sqlite_url, T0)
    second = _poll(b, sqlite_url, T0 + timedelta(minutes=1))
    assert wire.hits["/feed.xml"] == 2
    assert second.shared == 0
    assert _found(sqlite_engine, B) == {"http://wire.test/story/2", "http://wire.test/story/3"}
    with session_scope(sqlite_engine) as session:
        assert session.scalars(select(FeedFetchRow)).all() == []  # nothing kept either
