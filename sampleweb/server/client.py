"""A tiny HTTP client for tests: connect to 127.0.0.1:port, send the URL's host as ``Host``.

The world's names (``orbitalregistry.test`` …) do not resolve; a test must not need a resolver
either, so this helper sends every request to the local port and puts the name from the URL in
the Host header, exactly as mediamon's ``[crawl.resolve]`` does. Bodies are returned as sent
(still gzip-compressed if the server compressed them).
"""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit


def fetch(
    url: str,
    *,
    port: int,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: bytes | None = None,
    timeout: float = 10.0,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request; returns (status, headers, raw body)."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        send = {"Host": parts.netloc or f"127.0.0.1:{port}", **(headers or {})}
        conn.request(method, target, body=body, headers=send)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.msg, data
    finally:
        conn.close()
