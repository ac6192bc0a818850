"""Reading each route's answer: ok, unavailable (says nothing) or failed (try again).

Saved inputs from tests/data/linkbacks and tests/data/harvest; no network.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.harvest import model
from crawler.harvest.model import Fetched, PostTask, RouteState
from crawler.harvest.routes import (
    check_source,
    comment_feed_url,
    planned_routes,
    read_core_rest,
    read_endpoints,
    read_feed,
    read_page,
    read_replies,
    read_xmlrpc,
    records_for_post,
    replies_url,
    site_feed_url,
    wpcom_site,
)
from tests.harvest.conftest import DATA

LINKBACKS = DATA.parent / "linkbacks"
BASE = "http://fixtures.test:8000"
POST = f"{BASE}/2024/03/broken/"


def _file(name: str, folder: Path = LINKBACKS) -> bytes:
    return (folder / name).read_bytes()


def _ok(body: bytes, content_type: str = "text/html; charset=utf-8", **kw: object) -> Fetched:
    headers = (("Content-Type", content_type), *kw.pop("headers", ()))  # type: ignore[misc]
    return Fetched(url=POST, final_url=POST, status=200, headers=headers, body=body, **kw)  # type: ignore[arg-type]


def rss_comments(post: str, ids: list[int], *, pings: tuple[int, ...] = ()) -> bytes:
    """A WordPress per-post comment feed (newest first, no type field)."""
    items = []
    for cid in ids:
        text = "[&#8230;] a ping excerpt [&#8230;]" if cid in pings else f"Comment {cid}."
        items.append(
            f"<item><title>By: Reader {cid}</title><link>{post}#comment-{cid}</link>"
            f"<dc:creator><![CDATA[Reader {cid}]]></dc:creator>"
            f"<pubDate>Mon, 04 Mar 2024 10:{cid % 60:02d}:00 +0000</pubDate>"
            f'<guid isPermaLink="false">{BASE}/?p=7#comment-{cid}</guid>'
            f"<description><![CDATA[{text}]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Comments on: A post</title>'
        f"<link>{post}</link><description>x</description>{''.join(items)}</channel></rss>"
    ).encode()


def test_broken_comment_html_is_read_as_far_as_it_goes() -> None:
    html = _file("broken_comments.html", DATA).replace(b"{BASE}", BASE.encode())
    result, endpoints = read_page(_ok(html), ["Ines Varga"])
    assert result.state is RouteState.OK
    ids = {r.comment_id: r.kind.value for r in result.records}
    assert ids[12] == "pingback"
    assert ids[13] == "trackback"
    assert ids[14] == "pingback"
    assert {11, 15, 18, 19, 20, 21, 22} <= {i for i, k in ids.items() if k == "comment"}
    assert endpoints is not None
    assert endpoints.pingback == f"{BASE}/xmlrpc.php"


@pytest.mark.parametrize(
    ("fetched", "state"),
    [
        (Fetched(url=POST, error="timeout"), RouteState.FAILED),
        (Fetched(url=POST, status=503), RouteState.FAILED),
        (Fetched(url=POST, status=404), RouteState.UNAVAILABLE),
        (Fetched(url=POST, status=410), RouteState.UNAVAILABLE),
    ],
)
def test_a_page_that_cannot_be_read(fetched: Fetched, state: RouteState) -> None:
    result, endpoints = read_page(fetched, ())
    assert (result.state, endpoints) == (state, None)


def test_a_full_comment_feed_is_flagged_truncated() -> None:
    full = read_feed(_ok(rss_comments(POST, list(range(22, 12, -1)), pings=(13, 14))), POST, ())
    assert full.state is RouteState.OK
    assert full.truncated
    assert "truncated at 10" in full.detail
    assert len(full.records) == 10
    assert sum(r.kind.value == "pingback" for r in full.records) == 2
    assert all(r.post_id == 7 for r in full.records)
    short = read_feed(_ok(rss_comments(POST, [3, 2, 1])), POST, ())
    assert not short.truncated
    broken = read_feed(_ok(b"<rss><channel><item><title>x"), POST, ())
    assert broken.state in (RouteState.OK, RouteState.UNAVAILABLE)
    empty = read_feed(_ok(b""), POST, ())
    assert empty.state is RouteState.UNAVAILABLE


def test_the_core_rest_refusal_is_route_unavailable_never_no_pingbacks() -> None:
    body = _file("wp_rest_forbidden_param.json")
    result = read_core_rest(Fetched(url=POST, status=401, body=body), POST, ())
    assert result.state is RouteState.UNAVAILABLE
    assert "rest_forbidden_param" in result.detail
    assert result.records == ()
    ok = read_core_rest(
        Fetched(url=POST, status=200, body=_file("wp_rest_comments.json")), POST, ()
    )
    assert ok.state is RouteState.OK
    assert ok.records


def test_wpcom_api_pages_and_refusals() -> None:
    url = replies_url("http://api.test:1", "blog.example.org", 123, 2)
    assert url.startswith("http://api.test:1/rest/v1.1/sites/blog.example.org/posts/123/replies/")
    assert "type=pings" in url
    assert "number=100" in url
    assert "page=2" in url
    page1 = Fetched(url=url, status=200, body=_file("wpcom_replies_pings_page1.json"))
    result, next_page, closed = read_replies(page1, 1)
    assert result.state is RouteState.OK
    assert result.records
    assert {r.kind.value for r in result.records} <= {"pingback", "trackback"}
    assert not closed
    bad = Fetched(url=url, status=400, body=_file("wpcom_error_invalid_number.json"))
    result, next_page, closed = read_replies(bad, 1)
    assert (result.state, next_page, closed) == (RouteState.UNAVAILABLE, None, False)
    unknown = Fetched(
        url=url, status=404, body=b'{"error":"unknown_blog","message":"Unknown blog"}'
    )
    result, _, closed = read_replies(unknown, 1)
    assert result.state is RouteState.UNAVAILABLE
    assert closed
    result, _, _ = read_replies(Fetched(url=url, status=502, body=b"<html>"), 1)
    assert result.state is RouteState.FAILED


def test_xmlrpc_fault_is_unavailable() -> None:
    off = read_xmlrpc(_ok(_file("xmlrpc_disabled.xml"), "text/xml"), POST)
    assert off.state is RouteState.UNAVAILABLE
    assert "disabled" in off.detail
    ok = read_xmlrpc(_ok(_file("xmlrpc_get_pingbacks_response.xml"), "text/xml"), POST)
    assert ok.state is RouteState.OK
    assert ok.records
    bomb = read_xmlrpc(_ok(_file("xmlrpc_billion_laughs.xml"), "text/xml"), POST)
    assert bomb.state is RouteState.UNAVAILABLE


def test_platforms_and_urls() -> None:
    assert model.WP_REST in planned_routes("wordpress")
    assert model.WPCOM_API in planned_routes("wordpress.com")
    assert model.WPCOM_API not in planned_routes("generic")
    task = PostTask(1, POST, "https://fixtures.test:8000/2024/03/broken/", site_url=f"{BASE}/")
    assert comment_feed_url(task) == f"{POST}feed/"
    assert site_feed_url(f"{BASE}/") == f"{BASE}/comments/feed/"
    assert wpcom_site(task) == "fixtures.test"
    feed = read_feed(_ok(rss_comments(POST, [5, 4])), "", (), route=model.SITE_FEED)
    assert records_for_post(feed.records, PostTask(1, POST, "x", wp_post_id=7)) == list(
        feed.records
    )
    assert records_for_post(feed.records, PostTask(1, POST, "x", wp_post_id=8)) == []


def test_endpoints_are_read_on_the_final_url() -> None:
    body = b'<html><head><link rel="webmention" href="wm"></head><body></body></html>'
    fetched = Fetched(
        url="http://a.test/p",
        final_url="http://b.test/dir/page",
        status=200,
        headers=(("X-Pingback", "http://b.test/xmlrpc.php"), ("Content-Type", "text/html")),
        body=body,
    )
    found = read_endpoints(fetched)
    assert found.as_json() == {
        "url": "http://a.test/p",
        "pingback": "http://b.test/xmlrpc.php",
        "webmention": "http://b.test/dir/wm",
        "trackback": None,
    }
    assert read_endpoints(Fetched(url="http://a.test/p", error="timeout")).error == "timeout"


def test_source_checks() -> None:
    target = "https://blog.example.org/2024/03/wcit/"
    gone = check_source(_ok(_file("source_tombstone.html")), target)
    assert gone.verification is not None
    assert gone.verification.deleted
    linked = check_source(_ok(_file("source_h_entry.html")), target)
    assert linked.verification is not None
    assert linked.verification.linked
    failed = check_source(Fetched(url=POST, error="too many redirects"), target)
    assert failed.problem == "too many redirects"
    assert failed.verification is None
