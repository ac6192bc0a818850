"""The organisation's WordPress blog: pages, feeds and machine interfaces, as WordPress has them."""

from __future__ import annotations

import json
import re
import xmlrpc.client
from typing import Any

import feedparser
import lxml.html
import pytest

from sampleweb import SampleWeb
from tests.sampleweb.conftest import Fetch


def _post(truth: dict[str, Any], wp_id: int) -> dict[str, Any]:
    return next(p for p in truth["posts"] if p["wp_post_id"] == wp_id)


def test_post_page_advertises_pingback(get: Fetch, truth: dict[str, Any]) -> None:
    post = _post(truth, 108)
    status, headers, body = get(post["url"])
    assert status == 200
    xmlrpc_url = truth["organisation"]["site"] + "xmlrpc.php"
    assert headers["X-Pingback"] == xmlrpc_url
    doc = lxml.html.fromstring(body)
    assert doc.xpath('//link[@rel="pingback"]/@href') == [xmlrpc_url]
    assert doc.xpath('//link[@rel="canonical"]/@href') == [post["url"]]


def test_permalink_variants(get: Fetch, truth: dict[str, Any], web: SampleWeb) -> None:
    post = _post(truth, 112)
    status, headers, _ = get(post["url"].rstrip("/"))
    assert (status, headers["Location"]) == (301, post["url"])
    status, headers, _ = get(post["guid"])
    assert (status, headers["Location"]) == (301, post["url"])
    status, headers, _ = get(
        post["url"].replace("orbitalregistry.test", "www.orbitalregistry.test")
    )
    assert (status, headers["Location"]) == (301, post["url"])
    assert get(post["url"] + "?utm_source=newsletter")[0] == 200
    status, _, amp = get(post["url"] + "amp/")
    assert status == 200
    assert b"<html amp" in amp
    assert post["url"].encode() in amp


def test_posts_feed(get: Fetch, truth: dict[str, Any]) -> None:
    _, headers, body = get(truth["organisation"]["feed"])
    assert headers["Content-Type"].startswith("application/rss+xml")
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    visible = [p for p in truth["posts"] if p["day"] <= truth["day"]]
    assert len(parsed.entries) == len(visible)
    for entry in parsed.entries:
        post = next(p for p in visible if p["url"] == entry.link)
        assert entry.wfw_commentrss == post["comment_feed"]
        assert int(entry.slash_comments) == post["comment_count"]
        assert entry.id == post["guid"]
    atom = feedparser.parse(get(truth["organisation"]["feed"] + "atom/")[2])
    assert atom.version == "atom10"
    assert len(atom.entries) == len(visible)


def test_per_post_comment_feed_shape(get: Fetch, truth: dict[str, Any]) -> None:
    for post in (p for p in truth["posts"] if p["day"] == 1 and p["comment_count"]):
        parsed = feedparser.parse(get(post["comment_feed"])[2])
        assert not parsed.bozo, post["url"]
        assert len(parsed.entries) == min(10, post["comment_count"])
        dates = [e.published_parsed for e in parsed.entries]
        assert dates == sorted(dates, reverse=True)
        for e in parsed.entries:
            assert e.title.startswith("By: ")
            assert e.title[4:] == e.author
            assert re.fullmatch(rf".*/\?p={post['wp_post_id']}#comment-\d+", e.id)
            assert e.guidislink is False
            assert e.link.startswith(post["url"] + "#comment-")
            assert "type" not in e


def test_comment_feeds_truncate_at_ten(truth: dict[str, Any]) -> None:
    counts = {p["wp_post_id"]: p["comment_count"] for p in truth["posts"] if p["day"] == 1}
    assert max(counts.values()) > 10
    assert 10 in counts.values()
    feeds = {f["url"]: f for f in truth["feeds"] if f["kind"] == "comments"}
    long_post = _post(truth, 104)
    assert feeds[long_post["comment_feed"]]["truncated"] is True
    assert feeds[_post(truth, 112)["comment_feed"]]["truncated"] is False


def test_site_wide_comment_feed(get: Fetch, truth: dict[str, Any]) -> None:
    url = truth["organisation"]["site"] + "comments/feed/"
    parsed = feedparser.parse(get(url)[2])
    assert len(parsed.entries) == 10
    titles = {p["title"] for p in truth["posts"]}
    for e in parsed.entries:
        m = re.fullmatch(r"Comment on (.+) by (.+)", e.title)
        assert m
        assert m.group(1) in titles
        assert m.group(2) == e.author


def test_xmlrpc_get_pingbacks_returns_pingbacks_only(get: Fetch, truth: dict[str, Any]) -> None:
    endpoint = truth["organisation"]["site"] + "xmlrpc.php"
    for post in (p for p in truth["posts"] if p["day"] == 1):
        expected = sorted(
            lb["source"]
            for lb in truth["linkbacks"]
            if lb["post_id"] == post["wp_post_id"]
            and lb["day"] == 1
            and "pingback" in [lb["kind"], *lb["also"]]
        )
        request = xmlrpc.client.dumps((post["url"],), "pingback.extensions.getPingbacks").encode()
        status, headers, body = get(
            endpoint, method="POST", body=request, headers={"Content-Type": "text/xml"}
        )
        assert status == 200
        assert headers["Content-Type"].startswith("text/xml")
        (sources,), _ = xmlrpc.client.loads(body)
        assert isinstance(sources, list)
        assert sorted(sources) == expected, post["url"]
    unknown = xmlrpc.client.dumps(
        ("http://orbitalregistry.test/nope/",), "pingback.extensions.getPingbacks"
    )
    with pytest.raises(xmlrpc.client.Fault, match="cannot be used as a target") as fault:
        xmlrpc.client.loads(get(endpoint, method="POST", body=unknown.encode())[2])
    assert fault.value.faultCode == 32
    assert get(endpoint)[0] == 405
    bad = get(endpoint, method="POST", body=b"<not xml")[2]
    assert b"<name>faultCode</name>" in bad
    assert b"-32700" in bad


def test_rest_api_refuses_pings_to_anonymous_clients(get: Fetch, truth: dict[str, Any]) -> None:
    base = truth["organisation"]["site"] + "wp-json/wp/v2/comments"
    status, _, body = get(base + "?post=108&type=pingback")
    data = json.loads(body)
    assert status == 401
    assert data["code"] == "rest_forbidden_param"
    status, headers, body = get(base + "?post=108")
    comments = json.loads(body)
    assert status == 200
    assert comments
    assert {c["type"] for c in comments} == {"comment"}
    assert headers["X-WP-Total"] == str(len(comments))
    assert get(base + "?post=108&type=comment")[2] == body
    assert get(base + "?per_page=101")[0] == 400


def test_wpcom_replies_api(get: Fetch, truth: dict[str, Any], web: SampleWeb) -> None:
    api = truth["organisation"]["wpcom_api_base"]
    base = f"{api}/rest/v1.1/sites/orbitalregistry.test/posts/104/replies/"
    status, _, body = get(base + "?type=pings&number=100")
    data = json.loads(body)
    assert status == 200
    assert {c["type"] for c in data["comments"]} == {"pingback", "trackback"}
    assert data["found"] == len(data["comments"]) == 3
    for c in data["comments"]:
        assert set(c) >= {"ID", "post", "author", "date", "URL", "content", "type", "status"}
        assert c["post"]["link"] == _post(truth, 104)["url"]
        assert set(c["author"]) >= {"name", "URL"}
    everything = json.loads(get(base + "?type=any&number=5&page=2")[2])
    assert everything["found"] == _post(truth, 104)["comment_count"]
    assert len(everything["comments"]) == 5
    status, _, body = get(base + "?number=101")
    assert status == 400
    assert json.loads(body)["error"] == "invalid_number"
    assert get(f"{api}/rest/v1.1/sites/nosuch.test/posts/104/replies/")[0] == 404
    assert get(f"{api}/rest/v1.1/sites/orbitalregistry.test/posts/999/replies/")[0] == 404
    site_id = truth["organisation"]["wpcom_site_id"]
    assert (
        json.loads(get(f"{api}/rest/v1.1/sites/{site_id}/posts/104/replies/?type=pings")[2])[
            "found"
        ]
        == 3
    )


def test_each_theme_markup_is_used(get: Fetch, truth: dict[str, Any]) -> None:
    themes = {p["theme"] for p in truth["posts"]}
    assert themes == {"html5-short-ping", "long-ping", "ping-list", "old-cite"}
    pages = {
        p["theme"]: get(p["url"])[2].decode()
        for p in truth["posts"]
        if p["day"] == 1 and p["comment_count"]
    }
    assert re.search(
        r'<li id="comment-\d+" class="pingback (even|odd alt) '
        r'thread-(even|odd thread-alt) depth-1">\s*<div class="comment-body">\s*'
        r'Pingback: <a href="[^"]+" class="url" rel="ugc external nofollow">',
        pages["html5-short-ping"],
    )
    assert re.search(
        r'<li id="comment-\d+" class="trackback[^"]*">\s*<div class="comment-body">\s*Pingback: ',
        pages["html5-short-ping"],
    )
    assert re.search(r'class="webmention[^"]*h-cite h-entry', pages["html5-short-ping"])
    assert "[&#8230;] " in pages["long-ping"]
    assert 'id="li-comment-' in pages["long-ping"]
    assert '<ol class="ping-list">' in pages["ping-list"]
    assert "Trackbacks/Pingbacks" in pages["ping-list"]
    assert re.search(r"<cite>Pingback by <a href='[^']+'", pages["old-cite"])
    assert "[...]" in pages["old-cite"]
    assert "bypostauthor" in pages["html5-short-ping"]
    assert "comment-author-ivarga" in pages["long-ping"]
