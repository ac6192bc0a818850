"""The organisation's blog hosted on WordPress.com (archive scenario, #16): its pages, the
WordPress.com public API's posts, replies and comments listings for it, and wp.me shortlinks
that redirect to its posts. The ground truth is what these serve."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import lxml.html
import pytest

from sampleweb import SampleWeb
from sampleweb.pages.wp_day import WPME_HOST, base62, from_base62
from sampleweb.server.client import fetch
from sampleweb.world.archive import FIELD_NOTES
from sampleweb.world.wpcom_blog import WPCOM_BLOG_HOST, WPCOM_SHORTLINK_CODE, WPCOM_SITE_ID

API = "public-api.wordpress.test"


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    web = SampleWeb(scale="small", day=1, archive=True)
    web.start(0)
    yield web
    web.stop()


def _get(web: SampleWeb, url: str) -> tuple[int, dict[str, str], bytes]:
    status, headers, body = fetch(url, port=web.port)
    return status, {k.lower(): v for k, v in headers.items()}, body


def _hosted_posts(truth: dict[str, Any]) -> list[dict[str, Any]]:
    site = truth["wpcom_blog"]["site"]
    return [p for p in truth["posts"] if p["url"].startswith(site)]


def test_truth_names_the_blog_its_posts_and_linkbacks(web: SampleWeb) -> None:
    truth = web.truth()
    blog = truth["wpcom_blog"]
    assert blog["platform"] == "wordpress.com"
    assert blog["site"] == web.url(WPCOM_BLOG_HOST)
    assert blog["wpcom_site_id"] == WPCOM_SITE_ID
    posts = _hosted_posts(truth)
    assert len(posts) == FIELD_NOTES.posts
    assert len({p["theme"] for p in posts}) == 4
    assert min(p["published"] for p in posts) < "2021"
    urls = {p["url"] for p in posts}
    kinds = Counter(i["kind"] for i in truth["linkbacks"] if i["target"] in urls)
    assert kinds["pingback"] == 8
    assert kinds["trackback"] == 3
    assert kinds["comment"] >= 12
    assert all(p["shortlink"].startswith(f"http://{WPME_HOST}:") for p in posts)
    hosts = web.hosts()
    assert WPCOM_BLOG_HOST in hosts
    assert WPME_HOST in hosts
    assert FIELD_NOTES.pinger_host in hosts


def test_default_world_has_no_wpcom_blog() -> None:
    default = SampleWeb(scale="small", day=1)
    assert default.world.wpcom_blog is None
    assert "wpcom_blog" not in default.truth()
    assert WPME_HOST not in default.hosts()


def test_base62_round_trip() -> None:
    for n in (0, 7, 61, 62, 3843, 211450733):
        assert from_base62(base62(n)) == n
    assert base62(61) == "Z"
    assert from_base62("") is None
    assert from_base62("a-b") is None


def test_shortlinks_redirect_to_the_posts(web: SampleWeb) -> None:
    for post in _hosted_posts(web.truth()):
        status, headers, _ = _get(web, post["shortlink"])
        assert status == 301, post["shortlink"]
        assert headers["location"] == post["url"]
    for path in (f"/p{WPCOM_SHORTLINK_CODE}-zzzz", "/pOther-7", "/", "/p"):
        status, _, _ = _get(web, web.url(WPME_HOST, path))
        assert status == 404, path


def test_post_page_names_its_wpme_shortlink_and_comments(web: SampleWeb) -> None:
    truth = web.truth()
    commented = Counter(
        i["target"] for i in truth["linkbacks"] if i["kind"] in ("comment", "pingback")
    )
    post = next(p for p in _hosted_posts(truth) if commented[p["url"]])
    status, headers, body = _get(web, post["url"])
    assert status == 200
    doc = lxml.html.fromstring(body)
    assert doc.xpath('//link[@rel="shortlink"]/@href') == [post["shortlink"]]
    assert doc.xpath('//link[@rel="canonical"]/@href') == [post["url"]]
    assert f"<{post['shortlink']}>; rel=shortlink" in headers["link"]
    assert len(doc.xpath('//*[starts-with(@id, "comment-")]')) >= commented[post["url"]]


def test_api_lists_the_blogs_posts_by_host_and_by_site_id(web: SampleWeb) -> None:
    posts = _hosted_posts(web.truth())
    for site in (WPCOM_BLOG_HOST, str(WPCOM_SITE_ID)):
        url = web.url(API, f"/rest/v1.1/sites/{site}/posts/?number=50&page=2")
        status, _, body = _get(web, url)
        listing = json.loads(body)
        assert status == 200
        assert listing["found"] == len(posts)
        assert len(listing["posts"]) == len(posts) - 50
        by_url = {p["url"]: p for p in posts}
        for item in listing["posts"]:
            assert item["site_ID"] == WPCOM_SITE_ID
            assert item["short_URL"] == by_url[item["URL"]]["shortlink"]
            assert item["ID"] == by_url[item["URL"]]["wp_post_id"]
    # The self-hosted blog's listing is unchanged: its shortlinks are ?p=ID.
    org = web.world.org.host
    status, _, body = _get(web, web.url(API, f"/rest/v1.1/sites/{org}/posts/?number=1"))
    first = json.loads(body)["posts"][0]
    assert first["short_URL"] == web.url(org, f"/?p={first['ID']}")
    status, _, body = _get(web, web.url(API, "/rest/v1.1/sites/nobody.wordpress.test/posts/"))
    assert status == 404
    assert json.loads(body)["error"] == "unknown_blog"


def test_api_replies_and_site_comments_match_the_truth(web: SampleWeb) -> None:
    truth = web.truth()
    posts = {p["url"]: p for p in _hosted_posts(truth)}
    items = [i for i in truth["linkbacks"] if i["target"] in posts and i["kind"] != "link"]
    pinged = next(i for i in items if i["kind"] == "pingback")
    post_id = posts[pinged["target"]]["wp_post_id"]
    url = web.url(API, f"/rest/v1.1/sites/{WPCOM_BLOG_HOST}/posts/{post_id}/replies/?type=pings")
    status, _, body = _get(web, url)
    replies = json.loads(body)
    assert status == 200
    wanted = {(i["kind"], i["source"]) for i in items if i["target"] == pinged["target"]}
    got = {(c["type"], c["author"]["URL"]) for c in replies["comments"]}
    assert got == {w for w in wanted if w[0] != "comment"}
    assert all(c["post"]["link"] == pinged["target"] for c in replies["comments"])
    url = web.url(API, f"/rest/v1.1/sites/{WPCOM_SITE_ID}/comments/?number=100&type=any")
    status, _, body = _get(web, url)
    listing = json.loads(body)
    assert listing["found"] == sum(len(i["comment_ids"]) for i in items)
    assert listing["site_ID"] == WPCOM_SITE_ID
