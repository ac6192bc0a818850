"""The subscriber's few HTTP requests (#21): fetch a feed for its hub, ask a hub to subscribe.

Outside Scrapy (one request each, from the websub job) but under the same address guard as
every crawl fetch: the host is resolved first (the static ``crawl.resolve`` map, else DNS),
each address is checked with ``crawler.fetching.guard.check_address`` against the crawl's
allow-list, and the connection goes to the checked address (no second lookup a DNS rebind
could change). Redirects are not followed; answers are read up to a byte limit.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.config import Config
from crawler.fetching.guard import AllowList, check_address
from crawler.fetching.settings import allowed_hosts, user_agent

__all__ = ["FetchError", "Response", "request"]


class FetchError(Exception):
    """The request could not be made (guard, DNS, connection, timeout)."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def _addresses(config: Config, host: str, port: int) -> list[str]:
    static = {k.lower().rstrip("."): v for k, v in config.crawl.resolve.items()}
    if host.lower() in static:
        return [static[host.lower()]]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand (``Host`` stays the name)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def request(
    config: Config,
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float,
    max_bytes: int,
) -> Response:
    """One guarded request; raises ``FetchError`` when it cannot be made."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url!r}")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    allowed = AllowList.of(allowed_hosts(config), (), config.crawl.resolve)
    addresses = _addresses(config, host, port)
    problems = [check_address(host, a, allowed, port) for a in addresses]
    usable = [a for a, problem in zip(addresses, problems, strict=True) if problem is None]
    if not usable:
        raise FetchError(next((p for p in problems if p), f"no address for {host}"))
    kind = _PinnedTLS if parts.scheme == "https" else _Pinned
    conn = kind(host, port, usable[0], timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = {"User-Agent": user_agent(config), **(headers or {})}
    try:
        conn.request(method, path, body=body, headers=sent)
        answer = conn.getresponse()
        data = answer.read(max_bytes + 1)
        return Response(answer.status, answer.getheaders(), data[:max_bytes])
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"{method} {url}: {type(exc).__name__}: {exc}") from None
    finally:
        conn.close()
