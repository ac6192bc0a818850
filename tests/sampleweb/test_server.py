"""The HTTP layer: dispatch by Host, 404/400, keep-alive, gzip, validators, robustness."""

from __future__ import annotations

import gzip
import socket
import threading
from typing import Any

import pytest

from sampleweb import SampleWeb
from sampleweb.server.client import fetch
from tests.sampleweb.conftest import Fetch


def raw(port: int, data: bytes, read_timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_index_lists_sites_and_unknown_paths_are_404(web: SampleWeb, get: Fetch) -> None:
    status, _, body = get(f"http://127.0.0.1:{web.port}/")
    assert status == 200
    for host in web.hosts():
        assert host.encode() in body
    assert get(f"http://127.0.0.1:{web.port}/nothing-here")[0] == 404
    # an unknown name gets the index too
    assert get(f"http://unknown.example:{web.port}/")[0] == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://orbitalregistry.test/no/such/page/",
        "http://www.harbourgazette.test/news/2026/01/01/not-an-article/",
        "http://meridiantimes.test/science/nope.html",
        "http://lowearthlog.test/posts/never-written/",
        "http://trouble.test/nope",
        "http://public-api.wordpress.test/rest/v1.1/nothing",
    ],
)
def test_unknown_paths_are_404(web: SampleWeb, get: Fetch, url: str) -> None:
    assert get(url.replace(".test/", f".test:{web.port}/"))[0] == 404


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",  # HTTP/1.1 without Host
        b"GET / HTTP/1.1\r\nHost: orbitalregistry.test\r\nbad header line\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
def test_malformed_requests_get_400(web: SampleWeb, request_bytes: bytes) -> None:
    reply = raw(web.port, request_bytes)
    assert reply.startswith(b"HTTP/1.1 400 "), reply[:80]


def test_keep_alive_serves_several_requests_on_one_connection(web: SampleWeb) -> None:
    req = f"GET /robots.txt HTTP/1.1\r\nHost: orbitalregistry.test:{web.port}\r\n\r\n".encode()
    last = b"GET /robots.txt HTTP/1.1\r\nHost: orbitalregistry.test\r\nConnection: close\r\n\r\n"
    reply = raw(web.port, req + req + last)
    assert reply.count(b"HTTP/1.1 200 OK") == 3
    assert b"Sitemap: http://orbitalregistry.test:" in reply


def test_head_has_headers_but_no_body(web: SampleWeb, get: Fetch) -> None:
    status, headers, body = get(f"http://orbitalregistry.test:{web.port}/feed/", method="HEAD")
    assert status == 200
    assert int(headers["Content-Length"]) > 1000
    assert body == b""


def test_feeds_are_gzipped_on_request(web: SampleWeb) -> None:
    url = f"http://www.harbourgazette.test:{web.port}/rss.xml"
    status, headers, body = fetch(url, port=web.port, headers={"Accept-Encoding": "gzip, deflate"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert gzip.decompress(body).startswith(b"<?xml")
    _, plain_headers, plain = fetch(url, port=web.port)
    assert plain_headers.get("Content-Encoding") is None
    assert plain == gzip.decompress(body)
    assert headers["ETag"] == plain_headers["ETag"]


def test_every_feed_and_article_answers_304(
    web: SampleWeb, get: Fetch, truth: dict[str, Any]
) -> None:
    urls = [f["url"] for f in truth["feeds"]]
    urls += [m["url"] for m in truth["mentions"] if m["day"] == 1 and m["kind"] == "press"]
    urls += [p["url"] for p in truth["posts"] if p["day"] == 1]
    for url in urls:
        status, headers, _ = get(url)
        assert status == 200, url
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert etag, url
        assert modified, url
        assert get(url, headers={"If-None-Match": etag})[0] == 304, url
        assert get(url, headers={"If-Modified-Since": modified})[0] == 304, url
        assert get(url, headers={"If-None-Match": '"something-else"'})[0] == 200, url
        assert get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200, (
            url
        )


def test_304_has_validators_and_no_body(web: SampleWeb, get: Fetch, truth: dict[str, Any]) -> None:
    url = truth["endpoints"]["conditional_feed"]
    _, headers, _ = get(url)
    status, h304, body = get(url, headers={"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert h304["ETag"] == headers["ETag"]
    assert h304["Last-Modified"] == headers["Last-Modified"]


def test_client_disconnect_mid_body_does_not_hurt_the_server(
    web: SampleWeb, truth: dict[str, Any], get: Fetch
) -> None:
    huge = truth["endpoints"]["huge_page"].split(f":{web.port}", 1)[1]
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", web.port), timeout=5) as sock:
            sock.sendall(f"GET {huge} HTTP/1.1\r\nHost: trouble.test\r\n\r\n".encode())
            got = 0
            while got < 300_000:
                got += len(sock.recv(65536))
        # closed with most of 64 MB unsent
    assert get(f"http://orbitalregistry.test:{web.port}/feed/")[0] == 200


def test_server_keeps_serving_while_a_request_hangs(
    web: SampleWeb, truth: dict[str, Any], get: Fetch
) -> None:
    path = truth["endpoints"]["hang_after_headers"].split(f":{web.port}", 1)[1]
    socks = []
    try:
        for _ in range(5):
            sock = socket.create_connection(("127.0.0.1", web.port), timeout=5)
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: trouble.test\r\n\r\n".encode())
            head = sock.recv(4096)
            assert head.startswith(b"HTTP/1.1 200 OK")
            assert b"Content-Length: " in head
            socks.append(sock)
        for url in (
            "http://orbitalregistry.test/feed/",
            "http://meridiantimes.test/feeds/all.atom",
        ):
            assert get(url.replace(".test/", f".test:{web.port}/"))[0] == 200
        socks[0].settimeout(0.3)
        with pytest.raises(TimeoutError):
            socks[0].recv(10)  # the body is really not coming yet
    finally:
        for sock in socks:
            sock.close()


def test_concurrent_clients(web: SampleWeb, truth: dict[str, Any]) -> None:
    urls = [f["url"] for f in truth["feeds"]][:12]
    errors: list[str] = []

    def worker() -> None:
        for url in urls:
            status, _, _ = fetch(url, port=web.port)
            if status != 200:
                errors.append(url)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []


def test_post_body_and_100_continue(web: SampleWeb) -> None:
    body = b"<?xml version='1.0'?><methodCall><methodName>demo.sayHello</methodName></methodCall>"
    req = (
        "POST /xmlrpc.php HTTP/1.1\r\nHost: orbitalregistry.test\r\n"
        f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    ).encode()
    reply = raw(web.port, req + body)
    assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")
    assert b"Hello!" in reply
    chunked = (
        b"POST /xmlrpc.php HTTP/1.1\r\nHost: orbitalregistry.test\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n"
    )
    chunked += f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    assert b"Hello!" in raw(web.port, chunked)


def test_unsupported_method_is_405(web: SampleWeb, get: Fetch) -> None:
    status, headers, _ = get(f"http://orbitalregistry.test:{web.port}/", method="DELETE")
    assert status == 405
    assert "GET" in headers["Allow"]


def test_second_server_on_same_port_fails_cleanly(web: SampleWeb) -> None:
    other = SampleWeb()
    with pytest.raises(OSError, match="address already in use"):
        other.start(web.port)
