"""Done when (#16): on a fresh database, `mediamon linkbacks` with no arguments finds every
linkback and comment of a years-old WordPress blog (the sample web's ``archive`` scenario:
200 posts since 2019, old posts pinged, trackbacked and commented on, across the four
comment markups), and of the organisation's second blog, hosted on WordPress.com (64 posts
since 2020, listed by the WordPress.com public API, wp.me shortlinks) - each new site's whole
post inventory is taken first, on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.models import CrawlRunRow, PostInventoryRow, PostRow
from crawler.storage.posts import published_targets
from sampleweb.server.client import fetch
from sampleweb.server.router import SampleWeb
from sampleweb.world.archive import ARCHIVE_POSTS, FIELD_NOTES
from tests.harvest.conftest import (
    HANG_SECONDS,
    SLOW_SECONDS,
    expected_linkbacks,
    stored_mentions,
    write_config,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # two blogs, on a shared machine
#: Every post of both blogs: the old blog's archive and its 6 day-1 posts, and the
#: WordPress.com blog's posts.
ALL_POSTS = ARCHIVE_POSTS + 6 + FIELD_NOTES.posts


@pytest.fixture(scope="module")
def archive_web() -> Iterator[SampleWeb]:
    web = SampleWeb(
        scale="small", day=1, slow_seconds=SLOW_SECONDS, hang_seconds=HANG_SECONDS, archive=True
    )
    web.start(0)
    yield web
    web.stop()


def mediamon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from scheduler.cli import main; main()", *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_fresh_database_linkbacks_finds_every_old_linkback(
    archive_web: SampleWeb, tmp_path: Path
) -> None:
    truth = archive_web.truth()
    old = [p for p in truth["posts"] if p["wp_post_id"] > 2000]
    assert len(old) == ARCHIVE_POSTS
    expected = expected_linkbacks(truth, 1)
    kinds = Counter(kind for kind, _, _ in expected)
    assert kinds["pingback"] >= 25
    assert kinds["trackback"] >= 10
    assert kinds["comment"] >= 43
    themes = {p["theme"] for p in old}
    assert len(themes) == 4

    config = write_config(tmp_path / "mediamon.toml", archive_web)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(db)
    upgrade(engine)
    engine.dispose()
    base = ("--config", str(config), "--db", db)
    first = mediamon(*base, "linkbacks", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "listing every post" in first.stdout
    assert f"{ALL_POSTS} posts, {ALL_POSTS} new." in first.stdout

    got = {(m.kind, m.key, m.target) for m in stored_mentions(db)}
    assert got == expected
    old_urls = {p["url"] for p in old}
    assert sum(1 for _, _, target in got if target in old_urls) == 78
    # The blog on WordPress.com: its pings, trackbacks and comments, against its post URLs.
    hosted = [p for p in truth["posts"] if p["url"].startswith(truth["wpcom_blog"]["site"])]
    hosted_urls = {p["url"] for p in hosted}
    on_hosted = Counter(kind for kind, _, target in got if target in hosted_urls)
    assert on_hosted["pingback"] == 8
    assert on_hosted["trackback"] == 3
    assert on_hosted["comment"] >= 12
    _check_wpcom_inventory(db, truth, hosted)

    again = mediamon(*base, "linkbacks", cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "listing every post" not in again.stdout

    # The next digest lists the backlog apart, as found on older posts.
    found_on = datetime.now(UTC)  # the run's clock is the real one
    day = found_on.astimezone(ZoneInfo(truth["organisation"]["timezone"])).date().isoformat()
    digest = mediamon(*base, "digest", "--date", day, cwd=tmp_path)
    assert digest.returncode == 0, digest.stderr[-3000:]
    text = digest.stdout
    assert "FOUND ON OLDER POSTS" in text
    older = text.split("FOUND ON OLDER POSTS", 1)[1]
    on_old = [target for _, _, target in expected if target in old_urls | hosted_urls]
    count, _, rest = older.strip().partition(" linkbacks to ")
    assert int(count) >= len(on_old)  # the WordPress.com blog's among them
    assert int(rest.split(" posts.", 1)[0]) >= len(set(on_old))
    assert "Revisiting the registry:" in older


def _check_wpcom_inventory(db: str, truth: dict[str, Any], hosted: list[dict[str, Any]]) -> None:
    """The WordPress.com blog was listed through the WordPress.com API (not the core REST
    API it lacks), each post stored with its wp.me shortlink, which leads to the post."""
    site = truth["wpcom_blog"]["site"]
    org = truth["organisation"]["name"]
    engine = make_engine(db)
    with session_scope(engine) as session:
        inventory = session.scalars(
            select(PostInventoryRow).where(PostInventoryRow.site_url == site)
        ).one()
        routes = {r["route"]: r for r in inventory.routes}
        rows = session.execute(
            select(PostRow.url, PostRow.shortlink).where(PostRow.site_url == site)
        ).all()
        stored = dict(rows)
        resolved = published_targets(session, org, [p["shortlink"] for p in hosted])
    engine.dispose()
    assert inventory.posts == len(hosted)
    assert routes["wpcom-api"]["status"] == "ok"
    assert routes["wpcom-api"]["posts"] == len(hosted)
    assert routes["wp-rest"]["status"] == "skipped"
    assert stored == {p["url"]: p["shortlink"] for p in hosted}
    assert {short: url for short, (_, url) in resolved.items()} == {
        p["shortlink"]: p["url"] for p in hosted
    }


def test_scheduled_harvest_takes_a_new_sites_inventory_first(
    archive_web: SampleWeb, tmp_path: Path
) -> None:
    """The scheduler's harvest job (``mediamon run --once --job harvest``) does the same."""
    config = write_config(tmp_path / "mediamon.toml", archive_web)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(db)
    upgrade(engine)
    engine.dispose()
    done = mediamon("--config", str(config), "--db", db, "run", "--once", "--job", "harvest",
                    cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    engine = make_engine(db)
    with session_scope(engine) as session:
        jobs = [run.job for run in session.scalars(select(CrawlRunRow).order_by(CrawlRunRow.id))]
        posts = session.scalar(select(func.count()).select_from(PostRow))
    engine.dispose()
    assert posts == ALL_POSTS
    assert "posts" in jobs
    assert "harvest" in jobs
    got = {(m.kind, m.key, m.target) for m in stored_mentions(db)}
    assert got == expected_linkbacks(archive_web.truth(), 1)


def test_posts_sync_command_since(archive_web: SampleWeb, tmp_path: Path) -> None:
    """`mediamon posts sync --since DATE`: the posts published since then, per route."""
    config = write_config(tmp_path / "mediamon.toml", archive_web)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(db)
    upgrade(engine)
    engine.dispose()
    done = mediamon("--config", str(config), "--db", db, "posts", "sync", "--since", "2024-01-01",
                    cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    since = [p for p in archive_web.truth()["posts"] if p["published"] >= "2024-01-01"]
    since = [p for p in since if p["day"] <= 1]
    assert f"{len(since)} posts, {len(since)} new." in done.stdout
    for route in ("wp-rest", "wpcom-api", "feed", "sitemap", "archive"):
        assert route in done.stdout
    bad = mediamon("--config", str(config), "--db", db, "posts", "sync", "--since", "soon",
                   cwd=tmp_path)  # fmt: skip
    assert bad.returncode != 0
    assert "soon" in bad.stderr


def test_archive_blog_pages_feed_and_api(archive_web: SampleWeb) -> None:
    """The routes the inventory reads: ``?paged=N`` to a 404, REST pages, WordPress.com."""
    port = archive_web.port
    host = archive_web.world.org.host
    total = ARCHIVE_POSTS + 6
    last = (total + 9) // 10
    status, _, body = fetch(archive_web.url(host, f"/feed/?paged={last}"), port=port)
    assert status == 200
    assert body.count(b"<item>") == total - 10 * (last - 1)
    status, _, _ = fetch(archive_web.url(host, f"/feed/?paged={last + 1}"), port=port)
    assert status == 404
    status, headers, _ = fetch(
        archive_web.url(host, "/wp-json/wp/v2/posts?per_page=100&page=1"), port=port
    )
    assert status == 200
    assert headers.get("x-wp-totalpages") == "3"
    status, _, body = fetch(
        archive_web.url(host, "/wp-json/wp/v2/posts?per_page=100&page=4"), port=port
    )
    assert status == 400
    assert b"rest_post_invalid_page_number" in body
    api = archive_web.url("public-api.wordpress.test", f"/rest/v1.1/sites/{host}/posts/")
    status, _, body = fetch(api + "?number=100&page=3", port=port)
    listing = json.loads(body)
    assert status == 200
    assert listing["found"] == total
    assert len(listing["posts"]) == total - 200


def test_default_world_is_unchanged() -> None:
    default = SampleWeb(scale="small", day=1)
    assert all(p.wp_id < 2000 for p in default.world.posts)
    assert all(b.host != "oldorbit.test" for b in default.world.blogs)
