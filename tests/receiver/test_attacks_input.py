"""Issue 17, finding 1: invalid bytes in a percent-encoded URL, over a real socket.

Each attack is sent as a stranger would send it; the answer, what is stored (nothing) and
that a genuine request still gets through afterwards are checked.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine

from crawler.linkbacks.xmlrpc import (
    FAULT_SOURCE_NOT_FOUND,
    build_ping_request,
    parse_method_response,
)
from tests.receiver.conftest import POSTS, Live, add_posts, make_config, receipts

GOOD = "https://news.example.net/2024/06/story"


@pytest.mark.parametrize(
    "body",
    [
        b"source=http%3A%2F%2Fgood.test%2F%FF&target=" + quote(POSTS[0], safe="").encode(),
        b"source=http%3A%2F%2Fgood.test%2F%C3%28&target=" + quote(POSTS[0], safe="").encode(),
        b"source=http%3A%2F%2Fgood.test%2F&target=" + quote(POSTS[0], safe="").encode() + b"%FF",
    ],
)
def test_webmention_with_non_utf8_percent_escapes_is_400(shared: Live, body: bytes) -> None:
    reply = shared.post_form("/webmention", body)
    assert reply.status == 400, reply.text
    assert "UTF-8" in reply.text


@pytest.mark.parametrize(
    "source",
    ["http://good.test/\ufffd", "http://good.test/a\u200bb", "http://good.test/\u202egp.exe"],
)
def test_webmention_with_a_replacement_or_invisible_char_is_400(shared: Live, source: str) -> None:
    reply = shared.post_form("/webmention", {"source": source, "target": POSTS[0]})
    assert reply.status == 400, reply.text
    assert "replacement, control or invisible" in reply.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"url=http%3A%2F%2Fgood.test%2F%FF", "application/x-www-form-urlencoded"),
        (b"url=http://good.test/\xff", "application/x-www-form-urlencoded"),
        (b"url=http://good.test/%C3%28", "application/x-www-form-urlencoded; charset=utf-8"),
    ],
)
def test_trackback_url_is_not_guessed_as_cp1252(
    shared: Live, body: bytes, content_type: str
) -> None:
    path = f"/trackback?target={quote(POSTS[0], safe='')}"
    reply = shared.request("POST", path, body, {"Content-Type": content_type})
    assert reply.status == 200
    assert b"<error>1</error>" in reply.body
    assert b"UTF-8" in reply.body


@pytest.mark.parametrize("source", ["http://good.test/\ufffd", "http://good.test/\u200ex"])
def test_pingback_with_a_replacement_or_control_char_is_fault_16(shared: Live, source: str) -> None:
    reply = shared.post_xml(build_ping_request(source, POSTS[0]))
    fault = parse_method_response(reply.body).fault
    assert fault is not None
    assert fault.code == FAULT_SOURCE_NOT_FOUND


def test_genuine_requests_still_get_through(live_sqlite: Live) -> None:
    encoded = "https://news.example.net/caf%C3%A9"
    webmention = live_sqlite.post_form("/webmention", {"source": encoded, "target": POSTS[0]})
    assert webmention.status == 202, webmention.text
    path = f"/trackback?target={quote(POSTS[1], safe='')}"
    body = b"url=https%3A%2F%2Fnews.example.net%2Fcaf%25C3%25A9%2F&title=Caf%E9"
    latin1 = {"Content-Type": "application/x-www-form-urlencoded; charset=iso-8859-1"}
    trackback = live_sqlite.request("POST", path, body, latin1)
    assert b"<error>0</error>" in trackback.body
    ping = live_sqlite.post_xml(build_ping_request(GOOD, POSTS[2]))
    assert parse_method_response(ping.body).fault is None
    stored = {(r.protocol, r.source) for r in receipts(live_sqlite.engine)}
    assert stored == {
        ("webmention", encoded),
        ("trackback", "https://news.example.net/caf%C3%A9/"),
        ("pingback", GOOD),
    }


IP_LITERALS = [
    ("http://[::ffff:127.0.0.1]/", "127.0.0.1 is a loopback address"),
    ("http://[::1]:8080/x", "::1 is a loopback address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[2002:7f00:1::]/", "6to4 address wrapping 127.0.0.1"),
    ("http://[fec0::1]/", "site-local"),
    ("http://10.0.0.1:9/", "10.0.0.1 is a private address"),
]


@pytest.mark.parametrize(("source", "reason"), IP_LITERALS)
def test_ip_literal_sources_the_guard_refuses_get_a_final_answer_at_once(
    shared: Live, source: str, reason: str
) -> None:
    reply = shared.post_form("/webmention", {"source": source, "target": POSTS[0]})
    assert reply.status == 400, reply.text
    assert reason in reply.text
    fault = parse_method_response(shared.post_xml(build_ping_request(source, POSTS[1])).body).fault
    assert fault is not None
    assert fault.code == FAULT_SOURCE_NOT_FOUND
    path = f"/trackback?target={quote(POSTS[2], safe='')}"
    reply = shared.post_form(path, {"url": source})
    assert b"<error>1</error>" in reply.body
    assert reason.encode() in reply.body


def test_allowed_ip_literal_sources_are_queued(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    add_posts(sqlite_engine)
    config = make_config().model_copy(
        update={"crawl": make_config().crawl.model_copy(update={"allow_hosts": ("127.0.0.1",)})}
    )
    live = serve(config, sqlite_engine)
    source = "http://[::ffff:127.0.0.1]:8080/post"
    assert live.post_form("/webmention", {"source": source, "target": POSTS[0]}).status == 202
    reply = live.post_form("/webmention", {"source": "http://127.0.0.2/", "target": POSTS[0]})
    assert reply.status == 400
    assert [r.source for r in receipts(live.engine)] == [source]
