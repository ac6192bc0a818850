"""TrackBack over real HTTP: both ping URL spellings, error answers, charsets, duplicates."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from crawler.domain import Protocol, ReceiptState
from crawler.linkbacks.trackback import parse_trackback_response
from crawler.storage.db import session_scope
from crawler.storage.receipts import find_receipt, settle_receipt
from tests.receiver.conftest import NOW, POSTS, Live, receipts

SOURCE = "https://citing.example/2024/06/entry"
PING = {"url": SOURCE, "title": "A <b>reply</b>", "excerpt": "Some text", "blog_name": "Citing"}


def answer(live: Live, path: str, fields: dict[str, str] | bytes, **headers: str) -> str:
    reply = live.post_form(path, fields, **headers)
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"].startswith("text/xml")
    accepted, message = parse_trackback_response(reply.body)
    return "ok" if accepted else message


def test_ping_with_target_parameter_is_stored_on_both_databases(live: Live) -> None:
    reply = live.post_form(f"/trackback?target={quote(POSTS[0], safe='')}", PING)
    assert reply.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert b"<error>0</error>" in reply.body
    [row] = receipts(live.engine)
    assert (row.protocol, row.source, row.target) == ("trackback", SOURCE, POSTS[0])
    assert row.payload["title"] == "A reply"  # markup reduced to text
    assert row.payload["blog_name"] == "Citing"


def test_ping_with_target_in_the_path(live_sqlite: Live) -> None:
    assert answer(live_sqlite, "/trackback/blog.example.org/2024/06/second-post/", PING) == "ok"
    assert receipts(live_sqlite.engine)[0].target == POSTS[1]


def test_charset_from_content_type(live_sqlite: Live) -> None:
    body = "url=https://citing.example/e&title=Caf%E9&blog_name=%C9t%E9".encode("ascii")
    path = f"/trackback?target={quote(POSTS[0], safe='')}"
    ct = "application/x-www-form-urlencoded; charset=iso-8859-1"
    assert answer(live_sqlite, path, body, **{"Content-Type": ct}) == "ok"
    assert receipts(live_sqlite.engine)[0].payload["title"] == "Café"


@pytest.mark.parametrize(
    ("path", "fields", "expected"),
    [
        ("/trackback?target=" + quote(POSTS[0]), {"title": "no url"}, "No url given"),
        ("/trackback?target=" + quote(POSTS[0]), {"url": "javascript:x"}, "absolute http"),
        ("/trackback", PING, "No target post"),
        ("/trackback?target=https://elsewhere.example/p/", PING, "not a resource"),
        ("/trackback/blog.example.org/not-a-post/", PING, "not a post we know"),
        ("/trackback?target=%ff%fe", PING, "not an http(s) URL"),
        ("/trackback?target=" + quote(POSTS[0]), {"url": POSTS[0]}, "same URL"),
    ],
)
def test_errors_are_error_1_with_a_message(
    shared: Live, path: str, fields: dict[str, str], expected: str
) -> None:
    assert expected in answer(shared, path, fields)
    assert receipts(shared.engine) == []


def test_non_form_body_and_garbage_are_errors(shared: Live) -> None:
    path = f"/trackback?target={quote(POSTS[0], safe='')}"
    reply = shared.request("POST", path, b"<x/>", {"Content-Type": "text/xml"})
    assert b"<error>1</error>" in reply.body
    assert "No url" in answer(shared, path, b"\xff\xfe%%%&&==")
    assert receipts(shared.engine) == []


def test_already_verified_ping_is_refused_like_wordpress(live_sqlite: Live) -> None:
    path = f"/trackback?target={quote(POSTS[0], safe='')}"
    assert answer(live_sqlite, path, PING) == "ok"
    with session_scope(live_sqlite.engine) as session:
        row = find_receipt(session, Protocol.TRACKBACK, SOURCE, POSTS[0])
        assert row is not None
        settle_receipt(session, row.id, ReceiptState.VERIFIED, "links", NOW)
    assert "already have a ping" in answer(live_sqlite, path, PING)
    assert len(receipts(live_sqlite.engine)) == 1
