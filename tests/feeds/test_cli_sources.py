"""`mediamon sources import|export|add` against a real SQLite file built by the migrations:
the import report (refusals by the address guard and by scheme), idempotence, 5,000 outlines,
the OPML round trip, and ``add --dry-run`` discovering a sample-web site's feed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.feeds.opml import parse_opml
from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.sources import list_sources
from sampleweb.server.router import SampleWeb
from scheduler.cli import cli
from tests.feeds.conftest import write_config

CONFIG = """[organisation]
name = "Example Org"
timezone = "UTC"

[crawl]
allow_hosts = ["feeds.internal.example"]
"""

OPML = b"""<?xml version="1.0"?><opml version="2.0"><body>
<outline text="Press">
  <outline text="Planet" xmlUrl="https://planet.example/rss"/>
  <outline text="Secrets" xmlUrl="file:///etc/passwd"/>
  <outline text="Intranet" xmlUrl="http://10.0.0.5/feed"/>
  <outline text="Loopback" xmlUrl="http://127.0.0.1:8080/rss"/>
  <outline text="Metadata" xmlUrl="http://[::ffff:169.254.169.254]/latest"/>
  <outline text="Local" xmlUrl="http://localhost/rss"/>
</outline>
<outline text="Blogs"><outline text="Ann" xmlUrl="https://ann.example/atom.xml"/></outline>
</body></opml>"""


def setup(tmp_path: Path) -> tuple[list[str], str]:
    config = tmp_path / "mediamon.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(db)
    upgrade(engine)
    engine.dispose()
    return ["--config", str(config), "--db", db], db


def stored(db: str) -> list[tuple[str, str, str]]:
    engine = make_engine(db)
    with session_scope(engine) as session:
        rows = [(r.url, r.kind, r.name) for r in list_sources(session)]
    engine.dispose()
    return sorted(rows)


def test_import_refuses_what_the_guard_refuses_and_is_idempotent(tmp_path: Path) -> None:
    base, db = setup(tmp_path)
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(OPML)
    runner = CliRunner()
    first = runner.invoke(cli, [*base, "sources", "import", str(opml)], env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    assert "7 feeds listed, 2 added, 0 already known, 5 refused" in first.output
    assert "file scheme (only http and https are fetched)" in first.output
    assert "address guard: 10.0.0.5 is a private address" in first.output
    assert "address guard: 127.0.0.1 is a loopback address" in first.output
    assert "address guard: 169.254.169.254 is a link-local address" in first.output
    assert first.output.count("loopback address") == 2  # localhost too
    assert stored(db) == [
        ("https://ann.example/atom.xml", "blog", "Ann"),
        ("https://planet.example/rss", "press", "Planet"),
    ]
    again = runner.invoke(cli, [*base, "sources", "import", str(opml)])
    assert again.exit_code == 0, again.output
    assert "0 added, 2 already known" in again.output
    assert len(stored(db)) == 2


def test_import_of_an_html_file_fails_with_a_reason(tmp_path: Path) -> None:
    base, db = setup(tmp_path)
    page = tmp_path / "feeds.opml"
    page.write_bytes(b"<!DOCTYPE html><html><body>Not found</body></html>")
    result = CliRunner().invoke(cli, [*base, "sources", "import", str(page)])
    assert result.exit_code == 1
    assert "not an OPML file: it is an HTML page" in result.output
    assert stored(db) == []


def test_5000_outlines_import_once_and_round_trip_through_export(tmp_path: Path) -> None:
    base, db = setup(tmp_path)
    items = b"".join(
        b'<outline text="Feed %d" xmlUrl="https://site%d.example/rss" category="%s"/>'
        % (i, i, b"blog" if i % 2 else b"press")
        for i in range(5000)
    )
    opml = tmp_path / "big.opml"
    opml.write_bytes(b'<opml version="2.0"><body>' + items + b"</body></opml>")
    runner = CliRunner()
    result = runner.invoke(cli, [*base, "sources", "import", str(opml)])
    assert "5000 feeds listed, 5000 added" in result.output, result.output
    again = runner.invoke(cli, [*base, "sources", "import", str(opml)])
    assert "0 added, 5000 already known" in again.output
    out = tmp_path / "export.opml"
    exported = runner.invoke(
        cli, [*base, "sources", "export", "--format", "opml", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    back = parse_opml(out.read_bytes())
    assert sorted((o.url, o.kind, o.name) for o in back.outlines) == stored(db)
    stdout = runner.invoke(cli, [*base, "sources", "export"])
    assert parse_opml(stdout.output.encode()).outlines == back.outlines
    (tmp_path / "other").mkdir()
    other, other_db = setup(tmp_path / "other")
    reimported = runner.invoke(cli, [*other, "sources", "import", str(out)])
    assert "5000 added" in reimported.output
    assert stored(other_db) == stored(db)


CLI = "import sys; from scheduler.cli import cli; cli(sys.argv[1:], prog_name='mediamon')"


@pytest.mark.slow
def test_add_dry_run_discovers_the_feed_of_a_site_and_stores_nothing(
    web: SampleWeb, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "mediamon.toml", web, [], own=False)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(db)
    upgrade(engine)
    engine.dispose()
    blog = web.world.blogs[0]
    home = web.url(blog.host, "/")

    def mediamon(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", CLI, "--config", str(config), "--db", db, *args],
            cwd=tmp_path,
            env={**os.environ, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    dry = mediamon("sources", "add", home, "--dry-run", "--kind", "blog")
    assert dry.returncode == 0, dry.stderr
    assert "dry run, nothing stored" in dry.stdout
    assert f"discovered rss {web.url(blog.host, blog.feed_path)}" in dry.stdout, dry.stdout
    assert "Traceback" not in dry.stderr
    assert stored(db) == []
    added = mediamon("sources", "add", home, "--kind", "blog", "--name", "First blog")
    assert added.returncode == 0, added.stderr
    assert stored(db) == [(home, "blog", "First blog")]
    refused = mediamon("sources", "add", "http://10.1.2.3/feed")
    assert refused.returncode == 1
    assert "address guard: 10.1.2.3 is a private address" in refused.stderr
