"""Pingback 1.0 over real HTTP: success, every fault code, and hostile XML-RPC bodies."""

from __future__ import annotations

import time
import xmlrpc.client
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine

from crawler.domain import Protocol, ReceiptState
from crawler.linkbacks.xmlrpc import (
    FAULT_ACCESS_DENIED,
    FAULT_ALREADY_REGISTERED,
    FAULT_GENERIC,
    FAULT_SOURCE_NOT_FOUND,
    FAULT_TARGET_INVALID,
    FAULT_TARGET_NOT_FOUND,
    INVALID_PARAMS,
    INVALID_XMLRPC,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    build_call,
    build_ping_request,
    parse_method_response,
)
from crawler.storage.db import session_scope
from crawler.storage.receipts import block_source, find_receipt, settle_receipt
from tests.receiver.conftest import NOW, POSTS, Live, add_posts, make_config, receipts

SOURCE = "https://news.example.net/2024/06/story"


def fault_code(live: Live, body: bytes, path: str = "/xmlrpc") -> int | None:
    reply = live.post_xml(body, path)
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"].startswith("text/xml")
    response = parse_method_response(reply.body)
    return None if response.fault is None else response.fault.code


def test_valid_ping_is_queued_on_both_databases(live: Live) -> None:
    reply = live.post_xml(build_ping_request(SOURCE, POSTS[0]))
    response = parse_method_response(reply.body)
    assert response.ok
    assert "queued for verification" in str(response.value)
    [row] = receipts(live.engine)
    assert (row.protocol, row.source, row.target, row.state) == (
        "pingback",
        SOURCE,
        POSTS[0],
        "queued",
    )
    assert row.received_at == NOW
    assert row.remote_addr == "127.0.0.1"


def test_second_ping_after_verification_is_fault_48_and_no_duplicate(live: Live) -> None:
    assert fault_code(live, build_ping_request(SOURCE, POSTS[0])) is None
    with session_scope(live.engine) as session:
        row = find_receipt(session, Protocol.PINGBACK, SOURCE, POSTS[0])
        assert row is not None
        settle_receipt(session, row.id, ReceiptState.VERIFIED, "links", NOW)
    # Another spelling of the same target is the same post, so the same receipt.
    variant = "http://www.blog.example.org/2024/05/first-post?utm_source=x#comments"
    assert fault_code(live, build_ping_request(SOURCE, variant)) == FAULT_ALREADY_REGISTERED
    assert len(receipts(live.engine)) == 1


def test_repeated_unverified_ping_requeues_the_one_receipt(live_sqlite: Live) -> None:
    for _ in range(3):
        assert fault_code(live_sqlite, build_ping_request(SOURCE, POSTS[1])) is None
    assert len(receipts(live_sqlite.engine)) == 1


def test_php_alias_and_a_real_xmlrpc_client(live_sqlite: Live) -> None:
    url = f"http://127.0.0.1:{live_sqlite.port}/xmlrpc.php"
    with xmlrpc.client.ServerProxy(url) as proxy:
        answer = proxy.pingback.ping(SOURCE, POSTS[2])
        assert "queued" in str(answer)
        with pytest.raises(xmlrpc.client.Fault) as caught:
            proxy.pingback.ping(SOURCE, "https://elsewhere.example/")
    assert caught.value.faultCode == FAULT_TARGET_INVALID


@pytest.mark.parametrize(
    ("source", "target", "code"),
    [
        ("not a url", POSTS[0], FAULT_SOURCE_NOT_FOUND),
        ("ftp://files.example/x", POSTS[0], FAULT_SOURCE_NOT_FOUND),
        ("javascript:alert(1)", POSTS[0], FAULT_SOURCE_NOT_FOUND),
        (SOURCE, "jwoijgoisdjlskjegisvjowuehjtkx", FAULT_TARGET_NOT_FOUND),
        (SOURCE, "https://elsewhere.example/post/", FAULT_TARGET_INVALID),
        (SOURCE, "https://blog.example.org/", FAULT_TARGET_INVALID),  # our home page
        (SOURCE, "https://blog.example.org/tag/news/", FAULT_TARGET_INVALID),
        (POSTS[0], POSTS[0], FAULT_GENERIC),  # WordPress answers 0 for source == target
        (POSTS[0] + "#comment-1", "http://blog.example.org/2024/05/first-post", FAULT_GENERIC),
    ],
)
def test_fault_codes(shared: Live, source: str, target: str, code: int) -> None:
    assert fault_code(shared, build_ping_request(source, target)) == code
    assert receipts(shared.engine) == []


def test_wordpress_shortlink_target_is_the_post(live_sqlite: Live) -> None:
    assert fault_code(live_sqlite, build_ping_request(SOURCE, f"{POSTS[2]}#respond")) is None
    assert receipts(live_sqlite.engine)[0].target == "https://blog.example.org/?p=77"


def test_blocked_sources_are_access_denied(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    add_posts(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        block_source(session, "domain", "Spam.Example", "spam", NOW)
        block_source(session, "url", "https://ok.example/bad-post", "spam", NOW)
    config = make_config(block_domains=["casino.example"], block_urls=["https://ok.example/x"])
    live = serve(config, sqlite_engine)
    for source in (
        "https://casino.example/a",
        "https://www.casino.example/a",  # a domain block covers its subdomains
        "https://spam.example/a",
        "https://deep.sub.spam.example/a",
        "http://ok.example/bad-post#x",  # URL blocks match any spelling of the URL
        "https://ok.example/x",
    ):
        assert fault_code(live, build_ping_request(source, POSTS[0])) == FAULT_ACCESS_DENIED
    assert fault_code(live, build_ping_request("https://notspam.example/a", POSTS[0])) is None
    assert fault_code(live, build_ping_request("https://ok.example/good", POSTS[0])) is None
    assert len(receipts(sqlite_engine)) == 2


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>pingback.ping</methodName><params>
<param><value><string>&lol9;</string></value></param>
<param><value><string>https://blog.example.org/2024/05/first-post/</string></value></param>
</params></methodCall>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY src SYSTEM "file:///etc/passwd">]>
<methodCall><methodName>pingback.ping</methodName><params>
<param><value><string>&src;</string></value></param>
<param><value><string>https://blog.example.org/2024/05/first-post/</string></value></param>
</params></methodCall>"""

# Latin-1 bytes without an encoding declaration: not well-formed UTF-8 XML.
LATIN1_UNDECLARED = (
    "<methodCall><methodName>pingback.ping</methodName><params><param><value>"
    "<string>https://n.example/caf\xe9</string></value></param></params></methodCall>"
).encode("latin-1")
BAD_INT = (
    b"<methodCall><methodName>pingback.ping</methodName><params><param><value>"
    b"<int>nope</int></value></param></params></methodCall>"
)


def test_billion_laughs_is_a_fast_parse_fault(shared: Live) -> None:
    started = time.monotonic()
    assert fault_code(shared, BILLION_LAUGHS) == PARSE_ERROR
    assert time.monotonic() - started < 1.0
    assert shared.healthy()
    assert receipts(shared.engine) == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (XXE, PARSE_ERROR),
        (b"<methodCall><methodName>pingback.ping</methodName>", PARSE_ERROR),
        (b"", PARSE_ERROR),
        (b"\xff\xfe\x00garbage", PARSE_ERROR),
        (LATIN1_UNDECLARED, PARSE_ERROR),
        (b"<notACall/>", INVALID_XMLRPC),
        (b"<methodCall><params/></methodCall>", INVALID_XMLRPC),
        (build_call("system.shutdown", []), METHOD_NOT_FOUND),
        (build_call("pingback.extensions.getPingbacks", [POSTS[0]]), METHOD_NOT_FOUND),
        (build_call("pingback.ping", [SOURCE]), INVALID_PARAMS),
        (build_call("pingback.ping", [SOURCE, POSTS[0], "extra"]), INVALID_PARAMS),
        (build_call("pingback.ping", [1, 2]), INVALID_PARAMS),
        (build_call("pingback.ping", [[SOURCE], {"t": POSTS[0]}]), INVALID_PARAMS),
        (build_call("pingback.ping", [SOURCE, True]), INVALID_PARAMS),
        (BAD_INT, INVALID_XMLRPC),
    ],
)
def test_hostile_and_malformed_calls_are_faults(shared: Live, body: bytes, code: int) -> None:
    assert fault_code(shared, body) == code
    assert shared.healthy()
    assert receipts(shared.engine) == []


def test_declared_latin1_call_is_read(live_sqlite: Live) -> None:
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><methodCall><methodName>pingback.ping'
        "</methodName><params><param><value><string>https://n.example/caf\xe9</string></value>"
        f"</param><param><value><string>{POSTS[0]}</string></value></param></params>"
        "</methodCall>"
    ).encode("latin-1")
    assert fault_code(live_sqlite, body) is None
    assert receipts(live_sqlite.engine)[0].source == "https://n.example/caf\xe9"


def test_get_is_not_allowed(shared: Live) -> None:
    reply = shared.request("GET", "/xmlrpc")
    assert reply.status == 405
    assert "POST" in reply.headers["allow"]


def test_database_failure_is_a_500_fault_not_a_crash(
    serve: Callable[..., Live], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from crawler.storage.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('gone')}/missing/dir/x.db")
    live = serve(make_config(), engine)
    live.check_health = False
    reply = live.post_xml(build_ping_request(SOURCE, POSTS[0]))
    assert reply.status == 500
    assert parse_method_response(reply.body).fault is not None
    assert live.request("GET", "/healthz").status == 503
    assert live.request("GET", "/").status == 200
    engine.dispose()
