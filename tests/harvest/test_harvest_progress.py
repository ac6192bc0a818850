"""`mediamon linkbacks` progress moves with the pages read, not with the posts (#18 finding
10: "0/6" for 11 s). A real harvest of the sample web runs in a child process with the
callback the CLI hands it: the callback moves once per page the downloader read (each one a
request the sample web served) and reports each post once, when it is finished."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest

from sampleweb.server.router import SampleWeb
from tests.harvest.conftest import NOW, write_config
from tests.helpers import in_child

pytestmark = pytest.mark.slow


class _Recorder:
    """The callback shape of ``scheduler.progress``: called per page, ``finished`` per post."""

    def __init__(self) -> None:
        self.pages: list[str] = []
        self.posts: list[str] = []

    def __call__(self, name: str, outcome: str) -> None:
        self.pages.append(name)

    def finished(self, name: str, outcome: str) -> None:
        self.posts.append(name)


def _harvest(config: str, db_url: str, out: Any) -> None:
    """In a fresh process (Scrapy's reactor starts once per process)."""
    from crawler.config import load_config
    from crawler.runs.linkbacks import run_harvest

    recorder = _Recorder()
    report = run_harvest(load_config(config), db_url, all_posts=True, now=NOW, progress=recorder)
    out.put((recorder.pages, recorder.posts, report.posts, report.exit_status))


def test_the_harvest_progress_counts_pages_read_and_posts_finished(
    day_web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "mediamon.toml", day_web)
    polled = in_child("poll", str(config), migrated, timeout=90, all_sources=True, now=NOW)
    assert polled.exit_status == 0, polled.error

    served = 0
    lock = threading.Lock()
    app = day_web.server.app

    def counting(req: Any) -> Any:
        nonlocal served
        with lock:
            served += 1
        return app(req)

    day_web.server.app = counting
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_harvest, args=(str(config), migrated, out))
    child.start()
    pages, posts, harvested, exit_status = out.get(timeout=240)
    child.join(timeout=30)
    assert exit_status == 0
    assert harvested > 1
    assert len(posts) == harvested  # each post reported once, when finished
    # The bar moves per page: many pages per post, never more than the web served.
    assert len(pages) > 2 * harvested
    assert len(pages) <= served
    assert all(url.startswith("http://") for url in pages)
