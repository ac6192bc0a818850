"""Harvesting posts that misbehave: nothing crashes the run, the report says what happened.

A post page with broken comment markup (unclosed items, stray tags, hostile links, a source
on a private address), a comment feed of exactly 10 items whose older comments only the HTML
still shows, every API route closed (XML-RPC disabled, core REST refusing, an unknown
WordPress.com blog, no site-wide feed), sources that are gone or no longer link, a post whose
site answers 500, and a post on a host that does not resolve.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.domain import Platform, Post
from crawler.matching.urls import canonicalize_url
from crawler.storage.db import make_engine, session_scope
from crawler.storage.linkbacks import harvest_posts
from crawler.storage.posts import upsert_posts
from crawler.storage.receipts import block_source
from sampleweb.server.router import SampleWeb
from tests.harvest.conftest import (
    DATA,
    FIXTURE_HOST,
    NOW,
    FixtureSite,
    stored_mentions,
    write_config,
)
from tests.harvest.test_routes import rss_comments
from tests.helpers import in_child

pytestmark = pytest.mark.slow
LINKBACKS = DATA.parent / "linkbacks"


def serve_fixture_blog(site: FixtureSite) -> dict[str, str]:
    base = site.url("")
    post = site.url("/2024/03/broken/")
    html = (DATA / "broken_comments.html").read_text().replace("{BASE}", base)
    site.add("/2024/03/broken/", 200, html, X_Pingback=f"{base}/xmlrpc.php")
    feed = rss_comments(post, list(range(22, 12, -1)), pings=(13, 14))
    site.add("/2024/03/broken/feed/", 200, feed, Content_Type="application/rss+xml")
    site.add("/xmlrpc.php", 200, (LINKBACKS / "xmlrpc_disabled.xml").read_bytes())
    forbidden = (LINKBACKS / "wp_rest_forbidden_param.json").read_bytes()
    site.add("/wp-json/wp/v2/comments", 401, forbidden, Content_Type="application/json")
    unknown = json.dumps({"error": "unknown_blog", "message": "Unknown blog"})
    site.add(
        f"/rest/v1.1/sites/{FIXTURE_HOST}/posts/7/replies/",
        404,
        unknown,
        Content_Type="application/json",
    )
    site.add(
        f"/rest/v1.1/sites/{FIXTURE_HOST}/posts/8/replies/",
        404,
        unknown,
        Content_Type="application/json",
    )
    linking = f'<html><head><title>Links</title></head><body><p>See <a href="{post}">it</a>.</p>'
    site.add("/src/ok", 200, linking)
    site.add("/src/gone", 410, "<title>Gone</title>")
    site.add("/src/nolink", 200, "<html><title>Edited</title><p>No link any more.</p></html>")
    site.add("/2024/03/down/", 500, "<title>Error</title>")
    site.add("/2024/03/down/feed/", 500, "<title>Error</title>")
    return {"post": post, "down": site.url("/2024/03/down/"), "base": base}


def add_posts(db_url: str, org: str, urls: dict[str, str]) -> None:
    posts = [
        Post(org, canonicalize_url(urls["post"]), urls["post"], "A post with broken markup",
             platform=Platform.WORDPRESS, wp_post_id=7),
        Post(org, canonicalize_url(urls["down"]), urls["down"], "A post on a failing site",
             platform=Platform.WORDPRESS, wp_post_id=8),
        Post(org, "https://nowhere.invalid/p/", "http://nowhere.invalid/p/", "Unresolvable",
             platform=Platform.GENERIC),
    ]  # fmt: skip
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        upsert_posts(session, posts, NOW, site_url=urls["base"] + "/")
        block_source(session, "domain", "spam.test", "pingback spam", NOW)
    engine.dispose()


def test_bad_posts_are_reported_and_the_run_goes_on(
    web: SampleWeb, fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    from crawler.storage.migrate import upgrade

    upgrade(engine)
    engine.dispose()
    urls = serve_fixture_blog(fixture_site)
    config = write_config(
        tmp_path / "mediamon.toml",
        web,
        extra_hosts={FIXTURE_HOST: "127.0.0.1"},
        wpcom_api_base=urls["base"],
    )
    org = web.world.org.name
    add_posts(sqlite_url, org, urls)
    report = in_child("harvest", str(config), sqlite_url, timeout=60, now=NOW)
    assert report.exit_status == 0, report.error
    lines = {line.url: line for line in report.lines}
    assert len(lines) == 3

    broken = lines[urls["post"]]
    assert broken.routes_ok == ["html", "feed"]
    assert "feed" in broken.truncated  # 10 items: the cap; the HTML was read as well
    assert "disabled" in broken.routes_unavailable["xmlrpc"]
    assert "rest_forbidden_param" in broken.routes_unavailable["wp-rest"]
    assert "unknown_blog" in broken.routes_unavailable["wpcom-api"]
    assert "404" in broken.routes_unavailable["site-feed"]
    assert broken.found == {"comment": 7, "pingback": 3, "trackback": 1}
    assert broken.unresolved == 1  # the file: "source"
    assert broken.blocked == 1  # casino.spam.test: a blocked domain, not even fetched
    assert broken.deleted == 2  # gone (410) and no longer linking, at the first check
    assert broken.source_errors == 1  # 10.0.0.1: refused by the address guard

    target = canonicalize_url(urls["post"])
    mentions = {
        m.key: m for m in stored_mentions(sqlite_url) if canonicalize_url(m.target) == target
    }
    assert f"{target}#comment-11" in mentions  # only in the HTML: pushed out of the feed
    assert mentions[f"{target}#comment-18"].by_organisation
    assert mentions[canonicalize_url(urls["base"] + "/src/ok")].status == "live"
    assert mentions[canonicalize_url(urls["base"] + "/src/gone")].status == "deleted"
    assert mentions[canonicalize_url(urls["base"] + "/src/nolink")].status == "deleted"
    intranet = mentions["https://10.0.0.1/intranet/"]
    assert intranet.status == "live"  # not judged: the guard refused to fetch it
    assert not any(k.startswith("file:") or "spam.test" in k for k in mentions)
    mallory = mentions[f"{target}#comment-15"]
    assert "<script>" in mallory.context  # kept as text; escaping is the renderer's job

    down = lines[urls["down"]]
    assert down.routes_ok == []
    assert down.routes_failed["html"] == "HTTP 500"
    assert "no route answered" in down.error
    nowhere = lines["http://nowhere.invalid/p/"]
    assert nowhere.routes_failed["html"] == "DNS error"
    assert report.posts == 1
    assert report.posts_failed == 2

    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        harvested = {p.url: p.last_harvested_at for p in harvest_posts(session, org)}
    engine.dispose()
    assert harvested[urls["post"]] == NOW
    assert harvested[urls["down"]] == NOW  # the APIs answered: wait for the next interval
    assert harvested["http://nowhere.invalid/p/"] is None  # nothing answered: next run
