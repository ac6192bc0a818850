"""`mediamon linkbacks` end to end (in a subprocess: the crawl runs Scrapy in the CLI's own
process, and a reactor cannot start twice in the pytest process)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from crawler.harvest.report import HarvestReport, PostLine
from crawler.storage.db import make_engine
from crawler.storage.migrate import upgrade
from sampleweb.server.router import SampleWeb
from scheduler.cmd_linkbacks import print_harvest_report
from tests.harvest.conftest import NOW, write_config
from tests.helpers import in_child, run_mediamon

CLI = (
    "import sys; from scheduler.cli import cli; from scheduler.cmd_linkbacks import linkbacks\n"
    "if 'linkbacks' not in cli.commands: cli.add_command(linkbacks)\n"
    "cli(sys.argv[1:], prog_name='mediamon')"
)


def mediamon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_mediamon(*args, cwd=cwd, columns=200, timeout=120, program=CLI)


@pytest.mark.slow
def test_linkbacks_command(web: SampleWeb, tmp_path: Path) -> None:
    config = write_config(tmp_path / "mediamon.toml", web)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(db)
    upgrade(engine)
    engine.dispose()
    polled = in_child("poll", str(config), db, timeout=60, all_sources=True, now=NOW)
    assert polled.exit_status == 0, polled.error
    base = ("--config", str(config), "--db", db)

    first = mediamon(*base, "linkbacks", "--all", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "Linkbacks of 6 posts" in out
    for column in ("pingbacks", "trackbacks", "reblogs", "webmentions", "comments"):
        assert column in out
    assert "Five questions about WOSC-27, answered" in out
    assert "(+" in out  # new since the last run
    assert "wpcom-api" in out
    assert "xmlrpc" in out
    assert "rest_forbidden_param" in out  # why core REST is unavailable
    assert "feed full" in out  # 10-item feeds: the comment list was read

    again = mediamon(*base, "linkbacks", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "No post is due" in again.stdout  # harvested a moment ago

    post = web.truth()["posts"][1]["url"]
    named = mediamon(*base, "linkbacks", post.rstrip("/"), cwd=tmp_path)  # any spelling
    assert named.returncode == 0, named.stderr
    assert "Linkbacks of 1 posts" in named.stdout
    assert "(+" not in named.stdout  # nothing new

    unknown = mediamon(*base, "linkbacks", "https://example.org/not-ours/", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "not one of our posts: https://example.org/not-ours/" in unknown.stderr
    assert "mediamon poll" in unknown.stderr

    jobs = mediamon(*base, "linkbacks", "--recheck", "--verify", cwd=tmp_path)
    assert jobs.returncode == 0, jobs.stderr
    assert "Re-checked linkbacks: nothing was due" in jobs.stdout
    assert "Verified receipts: nothing was due" in jobs.stdout


@pytest.mark.slow
def test_check_prints_the_contract_object(web: SampleWeb, tmp_path: Path) -> None:
    config = write_config(tmp_path / "mediamon.toml", web)
    post = web.truth()["posts"][0]["url"]
    checked = mediamon(
        "--config", str(config), "linkbacks", "--check", post.rstrip("/"), "--json", cwd=tmp_path
    )  # the permalink without its slash redirects: endpoints are read on the final URL
    assert checked.returncode == 0, checked.stderr
    lines = checked.stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {
        "url": post.rstrip("/"),
        "pingback": web.url(web.world.org.host, "/xmlrpc.php"),
        "webmention": None,
        "trackback": None,
    }
    human = mediamon("--config", str(config), "linkbacks", "--check", post, cwd=tmp_path)
    assert human.returncode == 0, human.stderr
    assert "xmlrpc.php" in human.stdout
    failed = mediamon(
        "--config", str(config), "linkbacks", "--check", "http://nowhere.invalid/", cwd=tmp_path
    )
    assert failed.returncode == 1
    assert "DNS error" in failed.stderr
    misuse = mediamon("--config", str(config), "linkbacks", "--json", cwd=tmp_path)
    assert misuse.returncode == 2


def test_harvest_table() -> None:
    report = HarvestReport()
    report.add(
        PostLine(
            "https://blog.example/p/",
            "A post",
            found={"pingback": 2, "comment": 3},
            new={"pingback": 1},
            routes_ok=["html", "feed"],
            routes_unavailable={"wp-rest": "HTTP 401 rest_forbidden_param"},
            truncated=["feed"],
        )
    )
    console = Console(record=True, width=160)
    print_harvest_report(report, console)
    text = console.export_text()
    assert "2 (+1)" in text
    assert "A post" in text
    assert "rest_forbidden_param" in text
    assert "feed full" in text
    assert report.as_stats()["pingbacks"] == 2
    assert report.as_stats()["error"] == ""


def test_harvest_table_fits_80_columns() -> None:
    """At 80 columns (a small terminal, or piped) titles keep their room: the routes go
    below the table instead of squeezing every column (#18)."""
    report = HarvestReport()
    title = "Five questions about WOSC-27, answered by the people who wrote it"
    report.add(
        PostLine(
            "https://blog.example/p/",
            title,
            found={"pingback": 2, "comment": 3},
            new={"pingback": 1},
            routes_ok=["html", "feed"],
        )
    )
    console = Console(record=True, width=80)
    print_harvest_report(report, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Five questions about" in text  # not folded into 7-character strips
    assert "Routes used: feed (1 posts), html (1 posts)" in text
