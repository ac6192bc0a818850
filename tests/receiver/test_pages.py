"""The read-only pages: status (escaped, with counts and endpoints) and health."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from crawler.config import parse_config
from crawler.linkbacks.xmlrpc import build_ping_request
from tests.receiver.conftest import POSTS, Live, add_posts


def test_status_page_counts_and_endpoints(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    name = "<script>alert(1)</script> & Co"
    add_posts(sqlite_engine, org=name)
    config = parse_config(
        {
            "organisation": {
                "name": name,
                "sites": [{"url": "https://blog.example.org/"}],
            },
            "receiver": {"public_url": "https://mentions.example.org/"},
        },
        env={},
    )
    live = serve(config, sqlite_engine)
    live.post_xml(build_ping_request("https://a.example/1", POSTS[0]))
    live.post_form("/webmention", {"source": "https://a.example/2", "target": POSTS[1]})
    reply = live.request("GET", "/")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    page = reply.text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "<tr><td>queued</td><td>2</td></tr>" in page
    assert "<tr><td>verified</td><td>0</td></tr>" in page
    assert "POST https://mentions.example.org/xmlrpc" in page
    assert "POST https://mentions.example.org/webmention" in page
    assert "https://mentions.example.org/trackback?target=https%3A%2F%2Fblog.example.org" in page
    assert "X-Pingback: https://mentions.example.org/xmlrpc" in page
    assert "&lt;link rel=&quot;webmention&quot;" in page
    assert "a.example" not in page  # nothing a stranger sent is shown


def test_status_page_without_public_url_uses_the_request(live_sqlite: Live) -> None:
    page = live_sqlite.request("GET", "/").text
    assert f"POST http://127.0.0.1:{live_sqlite.port}/webmention" in page
    assert live_sqlite.request("HEAD", "/").status == 200


def test_health_and_unknown_paths(shared: Live) -> None:
    reply = shared.request("GET", "/healthz")
    assert (reply.status, reply.text) == (200, "ok\n")
    assert shared.request("GET", "/wp-admin/").status == 404
    assert shared.request("POST", "/healthz", b"x").status == 405
    assert shared.request("GET", "/webmention").status == 405
