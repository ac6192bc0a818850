"""Size, time and rate limits over real HTTP: 413, 408, 429, and a sender that still gets in."""

from __future__ import annotations

import socket
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy.engine import Engine

from crawler.linkbacks.xmlrpc import FAULT_GENERIC, build_ping_request, parse_method_response
from tests.receiver.conftest import POSTS, Live, add_posts, make_config, receipts

LIMIT = 4096


@pytest.fixture
def small(serve: Callable[..., Live], sqlite_engine: Engine) -> Live:
    add_posts(sqlite_engine)
    return serve(make_config(max_body_bytes=LIMIT), sqlite_engine, body_timeout=0.5)


@pytest.mark.parametrize("path", ["/webmention", "/xmlrpc", "/trackback"])
def test_declared_body_over_the_limit_is_413(small: Live, path: str) -> None:
    reply = small.request("POST", path, b"x" * (LIMIT + 1), {"Content-Type": "text/xml"})
    assert reply.status == 413
    assert reply.headers.get("connection") == "close"
    assert small.healthy()


def test_chunked_body_over_the_limit_is_cut_off(small: Live) -> None:
    conn = small.connect()
    conn.putrequest("POST", "/webmention")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"a" * 1024
    try:
        for _ in range(64):  # 64 KiB offered, 4 KiB allowed: the server stops reading
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server may close before we finish sending: that is the point
    response = conn.getresponse()
    assert response.status == 413
    response.read()
    assert small.healthy()
    assert receipts(small.engine) == []


def test_a_body_just_under_the_limit_is_read(small: Live) -> None:
    fields = urlencode({"source": "https://a.example/x", "target": POSTS[0]})
    body = (fields + "&pad=" + "p" * (LIMIT - len(fields) - 5)).encode()
    assert len(body) == LIMIT
    assert small.post_form("/webmention", body).status == 202


def test_a_body_that_never_arrives_times_out(small: Live) -> None:
    with socket.create_connection(("127.0.0.1", small.port), timeout=5) as sock:
        sock.sendall(
            b"POST /webmention HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nsource="
        )
        started = time.monotonic()
        head = sock.recv(1024)
    assert head.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < 3
    assert small.healthy()


def test_flood_from_one_address_is_limited_and_another_sender_gets_through(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    """1,000 webmentions from one address in a minute over one keep-alive connection."""
    add_posts(sqlite_engine)
    config = make_config(per_ip_per_minute=30, per_domain_per_minute=10)
    live = serve(config, sqlite_engine, proxy_headers=True)
    conn = live.connect()
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    retry_after = set()
    for i in range(1000):
        body = urlencode({"source": f"https://spam{i}.example/p", "target": POSTS[0]}).encode()
        reply = live.request(
            "POST",
            "/webmention",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": "198.51.100.7",
            },
            conn=conn,
        )
        statuses[reply.status] += 1
        if reply.status == 429:
            retry_after.add(int(reply.headers["retry-after"]))
    elapsed = time.monotonic() - started
    assert statuses == {202: 30, 429: 970}
    assert retry_after
    assert all(1 <= s <= 60 for s in retry_after)
    assert elapsed < 20, f"1,000 requests took {elapsed:.1f} s"

    legit = {"source": "https://friend.example/post", "target": POSTS[1]}
    reply = live.post_form("/webmention", legit, **{"X-Forwarded-For": "203.0.113.9"})
    assert reply.status == 202, reply.text
    # The same address is still refused on every protocol.
    ping = live.request(
        "POST",
        "/xmlrpc",
        build_ping_request("https://friend2.example/post", POSTS[1]),
        {"Content-Type": "text/xml", "X-Forwarded-For": "198.51.100.7"},
    )
    fault = parse_method_response(ping.body).fault
    assert fault is not None
    assert fault.code == FAULT_GENERIC
    assert "retry" in fault.string
    assert "retry-after" in ping.headers
    rows = receipts(sqlite_engine)
    assert len(rows) == 31
    assert {r.remote_addr for r in rows} == {"198.51.100.7", "203.0.113.9"}
    assert any(r.source == legit["source"] for r in rows)


def test_forwarded_header_is_ignored_without_proxy_headers(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    add_posts(sqlite_engine)
    live = serve(make_config(per_ip_per_minute=2), sqlite_engine)
    codes = [
        live.post_form(
            "/webmention",
            {"source": f"https://s{i}.example/p", "target": POSTS[0]},
            **{"X-Forwarded-For": f"192.0.2.{i}"},
        ).status
        for i in range(4)
    ]
    assert codes == [202, 202, 429, 429]
    assert {r.remote_addr for r in receipts(sqlite_engine)} == {"127.0.0.1"}


def test_one_source_domain_is_limited_on_every_protocol(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    add_posts(sqlite_engine)
    live = serve(make_config(per_domain_per_minute=3), sqlite_engine, proxy_headers=True)
    results = []
    for i in range(3):  # three different addresses, one source domain
        fields = {"source": f"https://noisy.example/p{i}", "target": POSTS[0]}
        results.append(
            live.post_form("/webmention", fields, **{"X-Forwarded-For": f"192.0.2.{i}"}).status
        )
    assert results == [202, 202, 202]
    fields = {"source": "https://noisy.example/p9", "target": POSTS[0]}
    refused = live.post_form("/webmention", fields, **{"X-Forwarded-For": "192.0.2.50"})
    assert refused.status == 429
    assert "noisy.example" in refused.text
    assert int(refused.headers["retry-after"]) >= 1
    tb = live.post_form(
        f"/trackback?target={quote(POSTS[0], safe='')}",
        {"url": "https://noisy.example/p10"},
        **{"X-Forwarded-For": "192.0.2.51"},
    )
    assert tb.status == 429
    assert b"<error>1</error>" in tb.body
    other = {"source": "https://quiet.example/p", "target": POSTS[0]}
    assert live.post_form("/webmention", other, **{"X-Forwarded-For": "192.0.2.52"}).status == 202
    assert len(receipts(sqlite_engine)) == 4
