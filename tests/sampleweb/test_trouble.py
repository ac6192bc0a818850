"""Each misbehaving endpoint of trouble.test, over real HTTP."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from sampleweb import SampleWeb
from tests.sampleweb.conftest import Fetch

NAMES = {
    "slow", "error_500", "rate_limited", "rate_limited_date", "redirect_loop", "moved_feed",
    "gone_feed", "illformed_feed", "html_as_feed", "wrong_charset_feed", "empty_feed",
    "huge_feed", "huge_page", "robots_disallowed", "conditional_feed", "hang_after_headers",
}  # fmt: skip


def test_truth_names_every_endpoint(truth: dict[str, Any]) -> None:
    assert set(truth["endpoints"]) == NAMES
    assert all(url.startswith("http://trouble.test:") for url in truth["endpoints"].values())


def test_slow(get: Fetch, truth: dict[str, Any]) -> None:
    start = time.monotonic()
    status, _, body = get(truth["endpoints"]["slow"])
    elapsed = time.monotonic() - start
    assert status == 200
    assert b"Worth the wait" in body
    assert elapsed >= 1.9  # the endpoint waits 2 s before it answers


def test_error_500(get: Fetch, truth: dict[str, Any]) -> None:
    assert get(truth["endpoints"]["error_500"])[0] == 500


def test_rate_limited_with_seconds_and_with_a_date(get: Fetch, truth: dict[str, Any]) -> None:
    status, headers, _ = get(truth["endpoints"]["rate_limited"])
    assert (status, headers["Retry-After"]) == (429, "120")
    status, headers, _ = get(truth["endpoints"]["rate_limited_date"])
    assert status == 429
    when = parsedate_to_datetime(headers["Retry-After"])
    assert 60 < (when - datetime.now(UTC)).total_seconds() <= 121


def test_redirect_loop(get: Fetch, truth: dict[str, Any], web: SampleWeb) -> None:
    url = truth["endpoints"]["redirect_loop"]
    seen = []
    for _ in range(4):
        status, headers, _ = get(url)
        assert status in (301, 302, 303, 307, 308)
        seen.append(url)
        url = headers["Location"]
    assert url in seen  # it comes back round


def test_moved_feed_redirects_to_a_working_feed(get: Fetch, truth: dict[str, Any]) -> None:
    status, headers, _ = get(truth["endpoints"]["moved_feed"])
    assert status == 301
    assert headers["Location"] == truth["moved_feed_target"]
    status, _, body = get(headers["Location"])
    assert status == 200
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    assert len(parsed.entries) == 8


def test_gone_feed(get: Fetch, truth: dict[str, Any]) -> None:
    assert get(truth["endpoints"]["gone_feed"])[0] == 410


def test_illformed_feed_is_broken_but_recoverable(get: Fetch, truth: dict[str, Any]) -> None:
    status, _, body = get(truth["endpoints"]["illformed_feed"])
    assert status == 200
    assert b"Fish & chips" in body
    assert not body.rstrip().endswith(b"</rss>")
    parsed = feedparser.parse(body)
    assert parsed.bozo
    assert [e.title for e in parsed.entries][:1] == ["Fish & chips shop reopens on the quay"]
    assert len(parsed.entries) == 3


def test_html_as_feed(get: Fetch, truth: dict[str, Any]) -> None:
    status, headers, body = get(truth["endpoints"]["html_as_feed"])
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert body.lstrip().lower().startswith(b"<!doctype html")


def test_wrong_charset_feed(get: Fetch, truth: dict[str, Any]) -> None:
    status, headers, body = get(truth["endpoints"]["wrong_charset_feed"])
    assert status == 200
    assert "utf-8" in headers["Content-Type"].lower()
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    try:
        body.decode("utf-8")
        raise AssertionError("body should not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    assert "Café owners’ association" in body.decode("cp1252")


def test_empty_feed(get: Fetch, truth: dict[str, Any]) -> None:
    status, _, body = get(truth["endpoints"]["empty_feed"])
    parsed = feedparser.parse(body)
    assert status == 200
    assert not parsed.bozo
    assert parsed.feed.title
    assert parsed.entries == []


def test_huge_feed(get: Fetch, truth: dict[str, Any]) -> None:
    status, _, body = get(truth["endpoints"]["huge_feed"], headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert body.count(b"<item>") == 2500


def test_huge_page_is_streamed_with_a_length(web: SampleWeb, truth: dict[str, Any]) -> None:
    path = truth["endpoints"]["huge_page"].split(f":{web.port}", 1)[1]
    with socket.create_connection(("127.0.0.1", web.port), timeout=10) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: trouble.test\r\nAccept-Encoding: gzip\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, rest = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        assert b"Content-Length: 67108864" in head
        assert b"Content-Encoding" not in head
        got = len(rest)
        while got < 3 * 1024 * 1024:  # read 3 MB of the 64, then walk away
            chunk = sock.recv(1 << 20)
            assert chunk
            got += len(chunk)


def test_robots_disallowed(get: Fetch, truth: dict[str, Any], web: SampleWeb) -> None:
    url = truth["endpoints"]["robots_disallowed"]
    _, _, robots = get(f"http://trouble.test:{web.port}/robots.txt")
    path = url.split(f":{web.port}", 1)[1]
    disallowed = [
        line.split(":", 1)[1].strip()
        for line in robots.decode().splitlines()
        if line.startswith("Disallow:")
    ]
    assert any(path.startswith(prefix) for prefix in disallowed)
    assert get(url)[0] == 200  # the page exists; only robots.txt says no


def test_conditional_feed(get: Fetch, truth: dict[str, Any]) -> None:
    url = truth["endpoints"]["conditional_feed"]
    status, headers, body = get(url)
    assert status == 200
    assert headers["ETag"]
    assert headers["Last-Modified"]
    assert get(url, headers={"If-None-Match": headers["ETag"]})[:3:2] == (304, b"")
    assert get(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    again = get(url)
    assert again[1]["ETag"] == headers["ETag"]
    assert again[2] == body


def test_hang_after_headers(web: SampleWeb, truth: dict[str, Any]) -> None:
    path = truth["endpoints"]["hang_after_headers"].split(f":{web.port}", 1)[1]
    with socket.create_connection(("127.0.0.1", web.port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: trouble.test\r\n\r\n".encode())
        head = sock.recv(4096)
        assert head.startswith(b"HTTP/1.1 200 OK")
        assert head.endswith(b"\r\n\r\n")
        sock.settimeout(0.5)
        start = time.monotonic()
        try:
            extra = sock.recv(100)
        except TimeoutError:
            extra = b""
        assert extra == b""
        assert time.monotonic() - start >= 0.45
