"""`mediamon posts sync` against sites that misbehave (#16): a REST API switched off, a feed
that loops or never ends, a canonical URL on another site, a shortlink that redirects
off-site. Each run goes through a child process, as the scheduler and the CLI run it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.storage.db import make_engine, session_scope
from crawler.storage.models import PostInventoryRow, PostRow
from tests.harvest.conftest import NOW
from tests.helpers import in_child
from tests.posts.conftest import Answer, Hosts, write_site_config

pytestmark = pytest.mark.slow
SITE = "blog.fixtures.test"
SHORT = "short.fixtures.test"
ELSEWHERE = "elsewhere.fixtures.test"


def rss(hosts: Hosts, slugs: list[str]) -> str:
    items = "".join(
        f"<item><title>Post {s}</title><link>{hosts.url(SITE, f'/{s}/')}</link>"
        f"<guid>{hosts.url(SITE, f'/?p={n}')}</guid>"
        f"<pubDate>Mon, 0{1 + n % 8} Jan 2018 10:00:00 +0000</pubDate></item>"
        for n, s in enumerate(slugs, start=1)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Fixture</title>'
        f"<link>{hosts.url(SITE)}</link>{items}</channel></rss>"
    )


def post_page(hosts: Hosts, slug: str, *, canonical: str = "", shortlink: str = "") -> str:
    canonical = canonical or hosts.url(SITE, f"/{slug}/")
    short = f'<link rel="shortlink" href="{shortlink}">' if shortlink else ""
    return (
        f'<html><head><title>{slug}</title><link rel="canonical" href="{canonical}">{short}'
        f"</head><body><h1>{slug}</h1></body></html>"
    )


def serve_blog(hosts: Hosts, *, feed_pages: dict[int, list[str]]) -> None:
    """A WordPress blog whose REST API answers 401 and whose WordPress.com API knows it not."""
    refused = json.dumps({"code": "rest_login_required", "message": "REST API restricted"})
    hosts.add(SITE, "/wp-json/wp/v2/posts", 401, refused, Content_Type="application/json")
    unknown = json.dumps({"error": "unknown_blog", "message": "Unknown blog"})
    hosts.add(
        "api." + SITE,
        f"/rest/v1.1/sites/{SITE}/posts/",
        404,
        unknown,
        Content_Type="application/json",
    )
    hosts.add(SITE, "/", 200, "<html><body>home</body></html>")
    for page, slugs in feed_pages.items():
        path = "/feed/" if page == 1 else f"/feed/?paged={page}"
        hosts.add(SITE, path, 200, rss(hosts, slugs), Content_Type="application/rss+xml")
    hosts.add(SITE, f"/feed/?paged={len(feed_pages) + 1}", 404, "<html>Page not found</html>")
    hosts.add(SITE, "/robots.txt", 200, f"Sitemap: {hosts.url(SITE, '/wp-sitemap.xml')}\n",
              Content_Type="text/plain")  # fmt: skip
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{hosts.url(SITE, '/wp-sitemap-posts-post-1.xml')}</loc></sitemap>"
        f"<sitemap><loc>{hosts.url(SITE, '/wp-sitemap-users-1.xml')}</loc></sitemap>"
        "</sitemapindex>"
    )
    hosts.add(SITE, "/wp-sitemap.xml", 200, index, Content_Type="application/xml")
    urlset = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{hosts.url(SITE, '/first/')}</loc></url>"
        f"<url><loc>{hosts.url(SITE, '/only-in-sitemap/')}</loc>"
        "<lastmod>2016-05-01T00:00:00+00:00</lastmod></url></urlset>"
    )
    hosts.add(SITE, "/wp-sitemap-posts-post-1.xml", 200, urlset, Content_Type="application/xml")
    for slug in ("first", "second", "third", "only-in-sitemap"):
        hosts.add(SITE, f"/{slug}/", 200, post_page(hosts, slug))


def stored(db_url: str) -> tuple[dict[str, PostRow], list[PostInventoryRow]]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        posts = {p.url: p for p in session.scalars(select(PostRow))}
        inventories = list(session.scalars(select(PostInventoryRow)))
        session.expunge_all()
    engine.dispose()
    return posts, inventories


def test_rest_disabled_other_routes_used_canonical_and_shortlink_checked(
    hosts: Hosts, migrated: str, tmp_path: Path
) -> None:
    serve_blog(hosts, feed_pages={1: ["first", "second"], 2: ["third", "syndicated"]})
    # Published here, canonical at a syndication partner: kept as published, flagged.
    partner = hosts.url(ELSEWHERE, "/partner/syndicated-copy/")
    page = post_page(hosts, "syndicated", canonical=partner, shortlink=hosts.url(SHORT, "/s1"))
    hosts.add(SITE, "/syndicated/", 200, page)
    # Its shortlink service redirects off-site: the shortlink is not kept.
    hosts.add(SHORT, "/s1", 302, "", Location=hosts.url(ELSEWHERE, "/spam/"))
    hosts.add(ELSEWHERE, "/spam/", 200, "<html>elsewhere</html>")
    config = write_site_config(tmp_path / "m.toml", hosts, SITE, ["api." + SITE, SHORT, ELSEWHERE])

    report = in_child("posts", config, migrated, timeout=90, now=NOW)
    assert report.exit_status == 0, report.error
    [line] = report.lines
    routes = {r["route"]: r for r in line.routes}
    assert routes["wp-rest"]["status"] == "unavailable"
    assert routes["wp-rest"]["detail"] == "HTTP 401 rest_login_required"
    assert routes["wpcom-api"]["status"] == "unavailable"
    assert routes["wpcom-api"]["detail"] == "HTTP 404 unknown_blog"
    assert (routes["feed"]["status"], routes["feed"]["posts"], routes["feed"]["pages"]) == (
        "ok",
        4,
        2,
    )
    assert (routes["sitemap"]["status"], routes["sitemap"]["posts"]) == ("ok", 2)
    assert routes["archive"]["status"] == "skipped"
    assert (line.posts, line.new) == (5, 5)
    assert any("canonical URL on another site" in n for n in line.notes)
    assert any("shortlink" in n and "/spam/" in n for n in line.notes)
    assert not any("users-1" in entry for entry in hosts.log)  # not a post sitemap

    posts, [inventory] = stored(migrated)
    assert sorted(posts) == sorted(
        hosts.url(SITE, f"/{s}/")
        for s in ("first", "second", "third", "syndicated", "only-in-sitemap")
    )
    syndicated = posts[hosts.url(SITE, "/syndicated/")]
    assert syndicated.canonical_offsite
    assert syndicated.canonical_link == partner
    assert syndicated.shortlink == ""
    first = posts[hosts.url(SITE, "/first/")]
    assert not first.canonical_offsite
    assert first.canonical_link == hosts.url(SITE, "/first/")
    assert first.published_at is not None
    assert posts[hosts.url(SITE, "/only-in-sitemap/")].published_at is None
    assert inventory.posts == 5
    assert {r["route"]: r["status"] for r in inventory.routes}["wp-rest"] == "unavailable"

    # A second sync finds nothing new and fetches no post page again.
    hosts.log.clear()
    again = in_child("posts", config, migrated, timeout=90, now=NOW)
    assert (again.lines[0].posts, again.lines[0].new) == (5, 0)
    assert not any(entry.endswith("/first/") for entry in hosts.log)


def test_feed_that_loops_is_read_once(hosts: Hosts, migrated: str, tmp_path: Path) -> None:
    """Page 3 answers what page 1 did (the server ignores ``paged`` from there on)."""
    serve_blog(hosts, feed_pages={1: ["first", "second"], 2: ["third"]})
    page_one = hosts.routes[(SITE, "/feed/")]

    def looping(path: str) -> Answer:
        assert not callable(page_one)
        return page_one

    for n in range(3, 8):
        hosts.answer(SITE, f"/feed/?paged={n}", looping)
    config = write_site_config(tmp_path / "m.toml", hosts, SITE, ["api." + SITE])
    report = in_child("posts", config, migrated, timeout=90, now=NOW)
    feed = {r["route"]: r for r in report.lines[0].routes}["feed"]
    assert feed["posts"] == 3
    assert feed["detail"] == "page 3 repeats earlier pages (the feed loops)"
    assert not any("paged=4" in entry for entry in hosts.log)
    assert report.lines[0].posts == 4


def test_feed_that_never_ends_stops_at_the_cap(hosts: Hosts, migrated: str, tmp_path: Path) -> None:
    """Every ``?paged=N`` answers a new post: the walk stops at ``MAX_FEED_PAGES``."""
    from crawler.posts.feeds import MAX_FEED_PAGES

    serve_blog(hosts, feed_pages={1: ["first"]})

    def endless(path: str) -> Answer:
        n = int(path.rsplit("=", 1)[1])
        return 200, {"Content-Type": "application/rss+xml"}, rss(hosts, [f"gen-{n}"]).encode()

    for n in range(2, MAX_FEED_PAGES + 5):
        hosts.answer(SITE, f"/feed/?paged={n}", endless)
    config = write_site_config(tmp_path / "m.toml", hosts, SITE, ["api." + SITE])
    since = datetime(2017, 1, 1, tzinfo=UTC)
    report = in_child("posts", config, migrated, timeout=240, now=NOW, since=since)
    feed = {r["route"]: r for r in report.lines[0].routes}["feed"]
    assert feed["pages"] == MAX_FEED_PAGES
    assert feed["detail"] == f"stopped at the cap of {MAX_FEED_PAGES} pages"
    assert not any(f"paged={MAX_FEED_PAGES + 1}" in entry for entry in hosts.log)
    # --since: the sitemap's 2016 post is left out.
    posts, _ = stored(migrated)
    assert hosts.url(SITE, "/only-in-sitemap/") not in posts
