"""Quiet runs (issue #15): a poll over feeds that fail in every way the run handles prints no
warning and no traceback on stderr; with ``-v`` each failure is one INFO line naming the
source and the reason. A subprocess: the poll runs Scrapy in the CLI's own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.sources import list_sources
from sampleweb.pages import trouble as misbehaving
from sampleweb.server.router import SampleWeb
from tests.feeds.conftest import write_config

CLI = "import sys; from scheduler.cli import cli; cli(sys.argv[1:], prog_name='mediamon')"
TROUBLE = (
    "error_500",
    "redirect_loop",
    "gone_feed",
    "illformed_feed",
    "html_as_feed",
    "wrong_charset_feed",
    "huge_feed",
)


@pytest.mark.slow
def test_failures_are_info_lines_not_stderr_noise(web: SampleWeb, tmp_path: Path) -> None:
    sources = [
        (f"Trouble {name}", web.url(misbehaving.HOST, misbehaving.ENDPOINTS[name]), "press")
        for name in TROUBLE
    ]
    sources.append(("dns", "http://nonexistent.invalid/rss", "press"))
    config = write_config(tmp_path / "mediamon.toml", web, sources, own=False, max_body=65536)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(db)
    upgrade(engine)
    engine.dispose()

    def poll(*flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-c",
                CLI,
                "--config",
                str(config),
                "--db",
                db,
                *flags,
                "poll",
                "--all",
            ],
            cwd=tmp_path,
            env={**os.environ, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    quiet = poll()
    # Done with some sources failing: exit 1 and one line naming them, nothing else (#18).
    assert quiet.returncode == 1, quiet.stderr
    assert "Problems" in quiet.stdout
    [line] = quiet.stderr.splitlines()
    assert line.startswith("mediamon: ")
    assert " sources failed: " in line
    verbose = poll("-v")
    assert "Traceback" not in verbose.stderr
    for name in ("gone_feed", "html_as_feed", "error_500"):
        assert f"INFO crawler.spiders.feeds: source 'Trouble {name}'" in verbose.stderr
    assert "source 'dns' (http://nonexistent.invalid/rss): DNS" in verbose.stderr

    # The source says how its body was decoded, and that its declared charset lied.
    engine = make_engine(db)
    with session_scope(engine) as session:
        rows = {row.name: row for row in list_sources(session)}
        fetched = [e for e in rows["Trouble wrong_charset_feed"].events if e.get("format")]
        event = fetched[0]  # the first poll's (the second found the same body: unchanged)
        html = rows["Trouble html_as_feed"]
        assert (html.last_error, html.health) == (
            "parse error: html? (no feed or sitemap found)",
            "failing",
        )
    engine.dispose()
    assert event["encoding"] == "cp1252 (detected)"
    assert "declared utf-8 does not decode; charset detected: windows-1252" in event["warning"]
