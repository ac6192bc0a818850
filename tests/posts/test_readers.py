"""The inventory's pure readers: JSON APIs, paged feeds, streamed sitemaps, archive pages,
a post's head, and the merge of every route into one post each (#16)."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from datetime import UTC, datetime

from crawler.posts.apis import parse_rest_posts, parse_wpcom_posts, rest_posts_url, wpcom_posts_url
from crawler.posts.feeds import FeedWalk, paged_feed_url, parse_feed_page
from crawler.posts.merge import merge_found
from crawler.posts.model import ARCHIVE, FEED, SITEMAP, WP_REST, FoundPost, RoutePage, RouteStatus
from crawler.posts.pages import parse_archive, parse_post_head
from crawler.posts.sitemaps import iter_sitemap, robots_sitemaps, wanted_children

SITE = "http://blog.example.test/"
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def rest_body(ids: range) -> bytes:
    return json.dumps(
        [
            {
                "id": i,
                "link": f"{SITE}2020/01/{i:02d}/post-{i}/",
                "date_gmt": "2020-01-01T10:00:00",
                "title": {"rendered": f"Post &amp; {i}"},
                "guid": {"rendered": f"{SITE}?p={i}"},
            }
            for i in ids
        ]
    ).encode()


def test_rest_posts_page_and_next() -> None:
    url = rest_posts_url(SITE, 1)
    assert url.startswith(f"{SITE}wp-json/wp/v2/posts?per_page=100&page=1")
    page = parse_rest_posts(
        200, {"X-WP-TotalPages": "3"}, rest_body(range(1, 4)), url=url, page=1, site_url=SITE
    )
    assert page.status is RouteStatus.OK
    assert [p.wp_post_id for p in page.posts] == [1, 2, 3]
    first = page.posts[0]
    assert first.title == "Post & 1"
    assert first.shortlink == f"{SITE}?p=1"
    assert first.published_at == datetime(2020, 1, 1, 10, 0, tzinfo=UTC)
    assert "per_page=100" in page.next_url
    assert "page=2" in page.next_url
    last = parse_rest_posts(
        200, {"X-WP-TotalPages": "3"}, rest_body(range(4, 5)), url=page.next_url, page=3,
        site_url=SITE,
    )  # fmt: skip
    assert last.next_url == ""


def test_rest_api_disabled_is_unavailable_not_empty() -> None:
    for status, code in (
        (401, "rest_cannot_access"),
        (403, "rest_disabled"),
        (404, "rest_no_route"),
    ):
        body = json.dumps({"code": code, "message": "no"}).encode()
        page = parse_rest_posts(status, {}, body, url="u", page=1, site_url=SITE)
        assert page.status is RouteStatus.UNAVAILABLE
        assert page.detail == f"HTTP {status} {code}"
    assert (
        parse_rest_posts(503, {}, b"", url="u", page=1, site_url=SITE).status is RouteStatus.FAILED
    )
    past = json.dumps({"code": "rest_post_invalid_page_number"}).encode()
    end = parse_rest_posts(400, {}, past, url="u", page=9, site_url=SITE)
    assert end.status is RouteStatus.OK
    assert not end.posts
    assert not end.next_url
    html = parse_rest_posts(200, {}, b"<html>login</html>", url="u", page=1, site_url=SITE)
    assert html.status is RouteStatus.UNAVAILABLE


def test_wpcom_posts_listing() -> None:
    url = wpcom_posts_url("https://public-api.example.test", "blog.example.test", 1)
    assert "/rest/v1.1/sites/blog.example.test/posts/?number=100&page=1" in url
    posts = [
        {
            "ID": i,
            "URL": f"{SITE}p/{i}/",
            "short_URL": f"https://wp.me/pAb-{i}",
            "date": "2019-05-01T08:00:00+02:00",
            "title": f"T{i}",
        }
        for i in range(100)
    ]  # fmt: skip
    page = parse_wpcom_posts(
        200, json.dumps({"found": 150, "posts": posts}).encode(), url=url, page=1
    )
    assert len(page.posts) == 100
    assert page.posts[1].shortlink == "https://wp.me/pAb-1"
    assert page.posts[1].published_at == datetime(2019, 5, 1, 6, 0, tzinfo=UTC)
    assert "page=2" in page.next_url
    unknown = json.dumps({"error": "unknown_blog", "message": "Unknown blog"}).encode()
    refused = parse_wpcom_posts(404, unknown, url=url, page=1)
    assert (refused.status, refused.detail) == (RouteStatus.UNAVAILABLE, "HTTP 404 unknown_blog")


def rss(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{link}</title><link>{link}</link><guid>{link}</guid>"
        "<pubDate>Mon, 06 Jan 2020 10:00:00 +0000</pubDate></item>"
        for link in links
    )
    channel = f"<channel><title>b</title><link>{SITE}</link>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def feed_page(links: list[str], page: int) -> RoutePage:
    url = paged_feed_url(f"{SITE}feed/", page)
    return parse_feed_page(200, {}, rss(links), url=url, page=page, now=NOW)


def test_paged_feed_walk_reads_to_the_404() -> None:
    walk = FeedWalk(f"{SITE}feed/")
    assert walk.next_url() == f"{SITE}feed/"
    assert len(walk.take(feed_page([f"{SITE}a/", f"{SITE}b/"], 1))) == 2
    assert walk.next_url() == f"{SITE}feed/?paged=2"
    assert len(walk.take(feed_page([f"{SITE}c/"], 2))) == 1
    end = parse_feed_page(404, {}, b"", url=walk.next_url(), page=3, now=NOW)
    assert end.status is RouteStatus.OK
    assert not end.posts
    walk.take(end)
    assert walk.next_url() == ""
    assert walk.stop_reason == "end"


def test_paged_feed_that_loops_stops() -> None:
    """Page 3 = page 1: the server ignores ``paged`` after page 2."""
    walk = FeedWalk(f"{SITE}feed/")
    one = [f"{SITE}a/", f"{SITE}b/"]
    walk.take(feed_page(one, 1))
    walk.take(feed_page([f"{SITE}c/"], 2))
    assert walk.take(feed_page(one, 3)) == []
    assert walk.next_url() == ""
    assert walk.stop_reason == "page 3 repeats earlier pages (the feed loops)"
    assert len(walk.seen) == 3


def test_paged_feed_that_never_ends_stops_at_the_cap() -> None:
    walk = FeedWalk(f"{SITE}feed/", max_pages=25)
    pages = 0
    while walk.next_url():
        pages += 1
        walk.take(feed_page([f"{SITE}p{pages}/"], pages))
    assert pages == 25
    assert walk.stop_reason == "stopped at the cap of 25 pages"


def test_first_feed_page_refused_is_unavailable() -> None:
    page = parse_feed_page(403, {}, b"", url=f"{SITE}feed/", page=1, now=NOW)
    assert page.status is RouteStatus.UNAVAILABLE


def sitemap_index(count: int) -> bytes:
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    rows = b"".join(
        b"<sitemap><loc>%swp-sitemap-posts-post-%d.xml</loc><lastmod>2024-01-01T00:00:00+00:00</lastmod></sitemap>\n"
        % (SITE.encode(), i)
        for i in range(count)
    )
    return head + rows + b"</sitemapindex>\n"


def test_sitemap_index_of_50000_urls_is_streamed_in_bounded_memory() -> None:
    body = sitemap_index(50_000)
    assert len(body) > 5_000_000
    tracemalloc.start()
    try:
        count = 0
        last = None
        for item in iter_sitemap(body):
            count += 1
            last = item
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 50_000
    assert last is not None
    assert last.kind == "sitemap"
    assert last.loc == f"{SITE}wp-sitemap-posts-post-49999.xml"
    assert last.lastmod == datetime(2024, 1, 1, tzinfo=UTC)
    assert peak < 2_000_000, f"peak {peak} bytes for a {len(body)} byte sitemap"
    assert len(wanted_children([f"{SITE}s{i}.xml" for i in range(50_000)])) == 200


def test_gzipped_urlset_and_robots() -> None:
    body = gzip.compress(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>/2020/01/a/</loc><lastmod>2020-01-02</lastmod></url>"
        b"<url><loc>http://blog.example.test/2020/02/b/</loc></url></urlset>"
    )
    items = list(iter_sitemap(body, base=SITE))
    assert [(i.kind, i.loc) for i in items] == [
        ("url", f"{SITE}2020/01/a/"),
        ("url", f"{SITE}2020/02/b/"),
    ]
    assert items[0].lastmod == datetime(2020, 1, 2, tzinfo=UTC)
    robots = b"User-agent: *\nDisallow: /wp-admin/\nSitemap: /wp-sitemap.xml\n"
    assert robots_sitemaps(robots, SITE) == [f"{SITE}wp-sitemap.xml"]
    assert list(iter_sitemap(b"<urlset><url><loc>http://x/</loc></url><url><lo")) != []


def test_post_sitemaps_are_chosen_from_an_index() -> None:
    children = [
        f"{SITE}wp-sitemap-posts-post-1.xml",
        f"{SITE}wp-sitemap-posts-page-1.xml",
        f"{SITE}wp-sitemap-taxonomies-category-1.xml",
        f"{SITE}wp-sitemap-users-1.xml",
    ]
    assert wanted_children(children) == [f"{SITE}wp-sitemap-posts-post-1.xml"]
    yoast = [f"{SITE}post-sitemap.xml", f"{SITE}post-sitemap2.xml", f"{SITE}page-sitemap.xml"]
    assert wanted_children(yoast) == yoast[:2]


def test_archive_page_lists_posts_and_the_older_page() -> None:
    html = f"""<html><body>
      <article><h2 class="entry-title"><a href="/2019/03/one/" rel="bookmark">One</a></h2></article>
      <article><h2 class="entry-title">
        <a href="{SITE}2019/02/two/" rel="bookmark">Two</a></h2></article>
      <a rel="bookmark" href="http://elsewhere.test/x/">off-site</a>
      <div class="nav-previous"><a href="/page/2/">Older posts</a></div></body></html>""".encode()
    page = parse_archive(html, url=SITE, site_url=SITE)
    assert [(p.url, p.title, p.routes) for p in page.posts] == [
        (f"{SITE}2019/03/one/", "One", (ARCHIVE,)),
        (f"{SITE}2019/02/two/", "Two", (ARCHIVE,)),
    ]
    assert page.next_url == f"{SITE}page/2/"
    assert parse_archive(b"", url=SITE, site_url=SITE).posts == ()


def test_post_head_canonical_on_another_site_is_flagged() -> None:
    own = (
        b'<head><link rel="canonical" href="/2020/01/a/"><link rel="shortlink" href="/?p=7"></head>'
    )
    head = parse_post_head(own, url=f"{SITE}2020/01/a/", site_url=SITE)
    assert head.canonical_link == f"{SITE}2020/01/a/"
    assert head.shortlink == f"{SITE}?p=7"
    assert not head.canonical_offsite
    syndicated = b'<head><link rel="canonical" href="https://medium.test/@org/a-123"></head>'
    other = parse_post_head(syndicated, url=f"{SITE}2020/01/a/", site_url=SITE)
    assert other.canonical_offsite
    assert other.canonical_link == "https://medium.test/@org/a-123"


def test_merge_keeps_one_post_per_spelling() -> None:
    when = datetime(2020, 1, 1, tzinfo=UTC)
    found = [
        FoundPost(url="https://blog.example.test/a", routes=(SITEMAP,)),
        FoundPost(url=f"{SITE}a/", title="A", published_at=when, routes=(FEED,)),
        FoundPost(url=f"{SITE}a/", wp_post_id=5, shortlink=f"{SITE}?p=5", routes=(WP_REST,)),
        FoundPost(url="http://cdn.other.test/a/", routes=(SITEMAP,)),
        FoundPost(url=SITE, routes=(SITEMAP,)),
        FoundPost(url=f"{SITE}old/", published_at=datetime(2010, 1, 1, tzinfo=UTC), routes=(FEED,)),
    ]
    merged = merge_found(found, SITE)
    assert [p.url for p in merged] == [f"{SITE}a/", f"{SITE}old/"]
    a = merged[0]
    assert (a.title, a.published_at, a.wp_post_id) == ("A", when, 5)
    assert a.routes == (WP_REST, FEED, SITEMAP)
    since = merge_found(found, SITE, since=datetime(2015, 1, 1, tzinfo=UTC))
    assert [p.url for p in since] == [f"{SITE}a/"]
