"""Issue 17, finding 3: slow and greedy clients, on a real socket with short configured limits.

No test measures time: each sends what an attacker sends and waits (with a generous bound)
for the event that must happen, the server closing the connection or answering 503.
"""

from __future__ import annotations

import logging
import select
import socket
import time
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine

from tests.receiver.conftest import POSTS, Live, add_posts, make_config, receipts

LIMITS = {"header_timeout_seconds": 0.5, "keep_alive_seconds": 1, "body_timeout_seconds": 0.5}
GENUINE = urlencode({"source": "https://news.example.net/story", "target": POSTS[0]}).encode()
REQUEST = (
    b"POST /webmention HTTP/1.1\r\nHost: receiver.test\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\n"
    + f"Content-Length: {len(GENUINE)}\r\n\r\n".encode()
    + GENUINE
)


def closed_by_server(sock: socket.socket, trickle: bytes = b"", bound: float = 60.0) -> bytes:
    """Send ``trickle`` one byte per poll (0.05 s) until the server closes the connection;
    what the server sent before closing. Fails if it is still open after ``bound`` s."""
    received = b""
    position = 0
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], 0.05)
        if readable:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return received
            if not chunk:
                return received
            received += chunk
            continue
        if trickle:
            try:
                sock.sendall(trickle[position % len(trickle) : position % len(trickle) + 1])
            except (BrokenPipeError, ConnectionResetError):
                return received
            position += 1
    raise AssertionError(f"the server kept the connection open for {bound} s")


def connect(live: Live) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=30)
    live_sockets.append(sock)
    return sock


live_sockets: list[socket.socket] = []


@pytest.fixture
def slow_live(serve: Callable[..., Live], sqlite_engine: Engine) -> Live:
    add_posts(sqlite_engine)
    return serve(make_config(**LIMITS), sqlite_engine)


@pytest.fixture(autouse=True)
def _close_sockets() -> object:
    yield None
    while live_sockets:
        live_sockets.pop().close()


def test_a_connection_that_sends_nothing_is_closed(slow_live: Live) -> None:
    assert closed_by_server(connect(slow_live)) == b""
    assert slow_live.post_form("/webmention", GENUINE).status == 202


def test_trickled_header_bytes_are_cut_off(slow_live: Live) -> None:
    endless = b"POST /webmention HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 100_000
    assert closed_by_server(connect(slow_live), endless) == b""
    assert receipts(slow_live.engine) == []
    assert slow_live.post_form("/webmention", GENUINE).status == 202


def test_a_slow_second_request_on_a_kept_alive_connection_is_cut_off(slow_live: Live) -> None:
    sock = connect(slow_live)
    sock.sendall(REQUEST)
    first = b""
    while b"\r\n\r\n" not in first or not first.rstrip().endswith(b"verification."):
        chunk = sock.recv(65536)
        assert chunk, first
        first += chunk
    assert first.startswith(b"HTTP/1.1 202")
    assert closed_by_server(sock, b"POST /webmention HTTP/1.1\r\nX-Slow: " + b"b" * 100_000) == b""


def test_a_trickled_body_gets_408(slow_live: Live) -> None:
    head = REQUEST.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    sock = connect(slow_live)
    sock.sendall(head)
    answer = closed_by_server(sock, GENUINE[:5])
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_past_limit_concurrency_new_requests_get_503(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    add_posts(sqlite_engine)
    live = serve(make_config(limit_concurrency=3, header_timeout_seconds=60), sqlite_engine)
    idle = [connect(live) for _ in range(3)]
    deadline = time.monotonic() + 30
    while len(live.server.server_state.connections) < 3:
        assert time.monotonic() < deadline, "the idle connections never arrived"
        time.sleep(0.01)
    assert live.post_form("/webmention", GENUINE).status == 503
    for sock in idle:
        sock.close()
    deadline = time.monotonic() + 30
    while live.server.server_state.connections:
        assert time.monotonic() < deadline, "the idle connections were never dropped"
        time.sleep(0.01)
    assert live.post_form("/webmention", GENUINE).status == 202


def test_forwarded_headers_without_proxy_headers_are_logged(
    slow_live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="crawler.receiver"):
        for _ in range(2):
            reply = slow_live.post_form(
                "/webmention", GENUINE, **{"X-Forwarded-For": "203.0.113.9"}
            )
            assert reply.status == 202
    warnings = [r for r in caplog.records if "--proxy-headers" in r.getMessage()]
    assert len(warnings) == 1
    assert "127.0.0.1" in warnings[0].getMessage()


def test_an_oversized_request_head_is_refused(slow_live: Live) -> None:
    sock = connect(slow_live)
    sock.sendall(b"POST /webmention HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 20_000 + b"\r\n")
    answer = closed_by_server(sock)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert slow_live.post_form("/webmention", GENUINE).status == 202
