"""`mediamon crawl URL...` in queue mode (#19): the URLs go to the workers as one run per host
group, the CLI waits for their rows and prints what the same crawl prints in embedded mode
(the finds, and each page that failed); ``--no-wait`` prints the run ids; ``--no-store`` still
crawls in the CLI's own process (nothing of it could come back through the database).

Every command is a real ``mediamon`` process, the workers real ``mediamon worker`` processes
on the local Redis, the pages the sample web's.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from crawler.storage.db import make_engine
from sampleweb.server.router import SampleWeb
from scheduler.queue.enqueue import wait_for_runs
from tests.helpers import run_mediamon
from tests.press.conftest import sample_config
from tests.queue.conftest import ROOT, migrate, queue_section, start_worker, stop_worker

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _mediamon(config: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_mediamon("--config", str(config), "--db", db_url, *args, cwd=ROOT, columns=200)


def _press_urls(web: SampleWeb) -> list[str]:
    """Two press articles about us on two different hosts, and a page that is not there."""
    seen: dict[str, str] = {}
    for mention in web.truth()["mentions"]:
        if mention["kind"] == "press" and mention["day"] <= 1 and not mention["removed_on_day"]:
            seen.setdefault(mention["site"], mention["url"].replace(":0/", f":{web.port}/"))
    first, second = sorted(seen)[:2]
    missing = web.url(first, "/no-such-story-anywhere.html")
    return [seen[first], seen[second], missing]


def _finds(stdout: str) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    items = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return sorted(
        (i["url"], i["kind"], tuple(sorted(i["queries"])), tuple(sorted(i["terms"]))) for i in items
    )


def _configs(tmp_path: Path, web: SampleWeb, prefix: str) -> tuple[Path, Path]:
    """The sample web's own config (its queries included), without and with a [queue]."""
    plain = sample_config(web, tmp_path / "embedded.toml")
    queued = tmp_path / "queued.toml"
    queued.write_text(plain.read_text(encoding="utf-8") + queue_section(prefix), encoding="utf-8")
    return plain, queued


def test_an_adhoc_crawl_runs_on_the_workers_and_prints_what_embedded_mode_prints(
    web: SampleWeb, tmp_path: Path, queue_prefix: str
) -> None:
    urls = _press_urls(web)
    plain, config = _configs(tmp_path, web, queue_prefix)
    embedded_db = f"sqlite:///{tmp_path / 'embedded.db'}"
    queued_db = f"sqlite:///{tmp_path / 'queued.db'}"
    for url in (embedded_db, queued_db):
        migrate(url)
    embedded = _mediamon(plain, embedded_db, "crawl", "--json", *urls)
    worker = start_worker(config, queued_db, "--threads", "2", "--flows", "sites")
    try:
        queued = _mediamon(config, queued_db, "crawl", "--json", *urls)
        table = _mediamon(config, queued_db, "crawl", urls[0])
    finally:
        assert stop_worker(worker) == 0
    assert embedded.returncode == 0, embedded.stderr
    assert queued.returncode == 0, queued.stderr + worker.log()
    assert "queued 2 run(s); waiting for the workers" in queued.stderr  # one per host group
    want = _finds(embedded.stdout)
    assert len(want) == 2  # both articles, nothing from the missing page
    assert _finds(queued.stdout) == want
    for out in (embedded.stderr, queued.stderr):  # the failed page, one line, both modes
        assert f"{urls[2]}: HTTP 404" in out
    assert table.returncode == 0, table.stderr
    assert "1 found" in table.stdout  # the same table as embedded mode (stored once already)
    assert "1 page(s) read, 1 article(s) checked, 0 failed" in table.stdout
    rows = _runs(queued_db)
    assert [row[0] for row in rows] == ["adhoc"] * 3  # 2 + 1 runs, each finished once
    assert all(row[1] is not None for row in rows)


def _runs(db_url: str) -> list[tuple[str, Any]]:
    from sqlalchemy import text

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [
                (r.job, r.finished_at)
                for r in conn.execute(text("SELECT job, finished_at FROM crawl_runs ORDER BY id"))
            ]
    finally:
        engine.dispose()


def test_no_wait_prints_one_run_id_per_host_group_and_no_store_crawls_here(
    web: SampleWeb, tmp_path: Path, queue_prefix: str
) -> None:
    urls = _press_urls(web)
    db_url = f"sqlite:///{tmp_path / 'mediamon.db'}"
    migrate(db_url)
    _, config = _configs(tmp_path, web, queue_prefix)
    queued = _mediamon(config, db_url, "crawl", "--no-wait", *urls)
    assert queued.returncode == 0, queued.stderr
    lines = [line.split("\t") for line in queued.stdout.splitlines()]
    assert [(kind, len(line)) for line in lines for kind in line[1:2]] == [("sites", 3)] * 2
    run_ids = [int(line[0]) for line in lines]
    here = _mediamon(config, db_url, "crawl", "--no-store", "--json", urls[0])
    assert here.returncode == 0, here.stderr  # no worker is running: crawled in this process
    assert len(_finds(here.stdout)) == 1
    worker = start_worker(config, db_url, "--threads", "1", "--flows", "sites")
    engine = make_engine(db_url)
    try:
        assert wait_for_runs(engine, run_ids, timeout=240), worker.log()
    finally:
        engine.dispose()
        assert stop_worker(worker) == 0
    listed = _mediamon(config, db_url, "mentions", "--format", "json")
    assert sorted(json.loads(line)["url"] for line in listed.stdout.splitlines()) == sorted(
        urls[:2]
    )
