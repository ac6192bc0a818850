"""W3C Webmention over real HTTP: 202 for valid requests, 400 with a reason for bad ones."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from crawler.domain import Protocol, ReceiptState
from crawler.storage.db import session_scope
from crawler.storage.receipts import find_receipt, settle_receipt
from tests.receiver.conftest import NOW, POSTS, Live, add_posts, make_config, receipts

SOURCE = "https://someones.blog.example/2024/06/reply"


def test_valid_webmention_is_202_without_location_on_both_databases(live: Live) -> None:
    reply = live.post_form("/webmention", {"source": SOURCE, "target": POSTS[0]})
    assert reply.status == 202, reply.text
    assert "location" not in reply.headers
    assert reply.headers["content-type"].startswith("text/plain")
    [row] = receipts(live.engine)
    assert (row.protocol, row.source, row.target, row.state) == (
        "webmention",
        SOURCE,
        POSTS[0],
        "queued",
    )


def test_fragment_on_target_is_accepted_as_the_post(live_sqlite: Live) -> None:
    target = POSTS[1].rstrip("/") + "#comment-3"
    reply = live_sqlite.post_form("/webmention", {"source": SOURCE, "target": target})
    assert reply.status == 202, reply.text
    [row] = receipts(live_sqlite.engine)
    assert row.target == POSTS[1]
    assert row.payload["target_as_sent"] == target


def test_resend_updates_the_one_receipt_and_remembers_it_was_verified(
    serve: Callable[..., Live], engine: Engine
) -> None:
    add_posts(engine)
    times = iter([NOW, NOW + timedelta(hours=1), NOW + timedelta(hours=2)])
    live = serve(make_config(), engine, clock=lambda: next(times))
    fields = {"source": SOURCE, "target": POSTS[0]}
    assert live.post_form("/webmention", fields).status == 202
    with session_scope(engine) as session:
        row = find_receipt(session, Protocol.WEBMENTION, SOURCE, POSTS[0])
        assert row is not None
        settle_receipt(session, row.id, ReceiptState.VERIFIED, "links", NOW)
    assert live.post_form("/webmention", fields).status == 202  # an update: re-queued
    [row] = receipts(engine)
    assert row.state == "queued"
    assert row.received_at == NOW + timedelta(hours=1)
    assert row.payload["was_verified"] is True
    assert live.post_form("/webmention", fields).status == 202  # again before verification
    [row] = receipts(engine)
    assert row.payload["was_verified"] is True


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"source": "jwoijgoisdjlskjegisvjowuehjtkx", "target": POSTS[0]}, "source"),
        ({"source": SOURCE, "target": "jwoijgoisdjlskjegisvjowuehjtkx"}, "target"),
        ({"source": "nope", "target": "nope either"}, "source"),
        ({"source": "", "target": ""}, "required"),
        ({"target": POSTS[0]}, "source is required"),
        ({"source": SOURCE}, "target is required"),
        ({"source": "mailto:a@b.example", "target": POSTS[0]}, "http"),
        ({"source": "https://", "target": POSTS[0]}, "host"),
        ({"source": "http://[::1", "target": POSTS[0]}, "source"),
        ({"source": "https://a.example/x y", "target": POSTS[0]}, "whitespace"),
        ({"source": SOURCE, "target": "https://blog.example.org:99999/"}, "target"),
        ({"source": POSTS[0], "target": POSTS[0]}, "same"),
        ({"source": POSTS[0] + "#x", "target": POSTS[0]}, "same"),
        ({"source": "http://www.blog.example.org/2024/05/first-post", "target": POSTS[0]}, "same"),
        ({"source": SOURCE, "target": "https://elsewhere.example/post/"}, "not a resource"),
        ({"source": SOURCE, "target": "https://blog.example.org/about/"}, "not a post"),
        ({"source": SOURCE, "target": "https://" + "a" * 3000 + ".example/"}, "target"),
    ],
)
def test_bad_requests_are_400_with_a_reason(
    shared: Live, fields: dict[str, str], reason: str
) -> None:
    reply = shared.post_form("/webmention", fields)
    assert reply.status == 400
    assert reason in reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    assert receipts(shared.engine) == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"source": "https://a.example/", "target": "x"}', "application/json"),
        (b"source=https://a.example/&target=" + POSTS[0].encode(), "text/plain"),
        (b"source=https://a.example/&target=" + POSTS[0].encode(), ""),
        (
            b"--b\r\nContent-Disposition: form-data; name=source\r\n\r\nx\r\n--b--",
            "multipart/form-data; boundary=b",
        ),
    ],
)
def test_unsupported_content_types_are_400(shared: Live, body: bytes, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    reply = shared.request("POST", "/webmention", body, headers)
    assert reply.status == 400
    assert "Content-Type" in reply.text


@pytest.mark.parametrize(
    "body",
    [
        b"%zz%%%&&&===source",
        b"source=%ff%fe&target=%80",  # percent-escapes of non-UTF-8 bytes
        b"source=\xff\xfe\xfd&target=\xc3\x28",  # raw non-UTF-8 bytes
        b"\x00\x01\x02",
        b"=&=&=",
        b"source&target",
        b"source=" + b"%" * 5000,
    ],
)
def test_malformed_and_non_utf8_forms_are_400(shared: Live, body: bytes) -> None:
    reply = shared.post_form("/webmention", body)
    assert reply.status == 400, reply.text
    assert shared.healthy()
    assert receipts(shared.engine) == []


def test_repeated_names_use_the_first_value(live_sqlite: Live) -> None:
    body = f"source={SOURCE}&target={POSTS[0]}&target=https://evil.example/".encode()
    assert live_sqlite.post_form("/webmention", body).status == 202
    assert receipts(live_sqlite.engine)[0].target == POSTS[0]


def test_blocked_source_is_403(serve: Callable[..., Live], sqlite_engine: Engine) -> None:
    add_posts(sqlite_engine)
    live = serve(make_config(block_domains=["spam.example"]), sqlite_engine)
    fields = {"source": "https://x.spam.example/p", "target": POSTS[0]}
    reply = live.post_form("/webmention", fields)
    assert reply.status == 403
    assert "blocked" in reply.text
    assert receipts(sqlite_engine) == []


def test_a_post_published_after_start_is_accepted(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    add_posts(sqlite_engine)
    live = serve(make_config(), sqlite_engine, miss_refresh_seconds=0.2)
    new_post = "https://blog.example.org/2024/07/brand-new/"
    fields = {"source": SOURCE, "target": new_post}
    assert live.post_form("/webmention", fields).status == 400
    add_posts(sqlite_engine, [new_post])
    time.sleep(0.3)  # an unknown target reloads the posts at most this often
    assert live.post_form("/webmention", fields).status == 202
    assert receipts(sqlite_engine)[0].target == new_post
