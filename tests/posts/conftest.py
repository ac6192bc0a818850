"""The inventory tests' world: a small multi-host HTTP server answering from a route table
keyed by host and path (with its query), for what the sample web does not misbehave with:
a REST API switched off, a feed that loops or never ends, a canonical URL on another site,
a shortlink that leads off-site. Plus the sample web (the good world) for the CLI."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from tests.harvest.conftest import TIMEOUT_SECONDS, toml_string, web

__all__ = ["web"]

Answer = tuple[int, dict[str, str], bytes]
Route = Answer | Callable[[str], Answer]


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[tuple[str, str], Route]] = {}
    log: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":", 1)[0]
        self.log.append(f"{host}{self.path}")
        found = self.routes.get((host, self.path)) or self.routes.get(
            (host, urlsplit(self.path).path)
        )
        answer = found(self.path) if callable(found) else found
        status, headers, body = answer or (404, {"Content-Type": "text/plain"}, b"not found")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@dataclass
class Hosts:
    """A server on 127.0.0.1 for any number of ``*.test`` hosts (routes by host and path)."""

    server: http.server.ThreadingHTTPServer
    routes: dict[tuple[str, str], Route]
    log: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(self, host: str, path: str, status: int, body: bytes | str, **headers: str) -> None:
        data = body.encode() if isinstance(body, str) else body
        names = {k.replace("_", "-"): v for k, v in headers.items()}
        names.setdefault("Content-Type", "text/html; charset=utf-8")
        self.routes[(host, path)] = (status, names, data)

    def answer(self, host: str, path: str, make: Callable[[str], Answer]) -> None:
        self.routes[(host, path)] = make


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    routes: dict[tuple[str, str], Route] = {}
    log: list[str] = []
    handler = type("Handler", (_Handler,), {"routes": routes, "log": log})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Hosts(server, routes, log)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def write_site_config(
    path: Path, hosts: Hosts, site: str, names: list[str], *, platform: str = "wordpress"
) -> Path:
    """A config whose one own site is ``site`` on the fixture server (``names`` resolve
    to it too); the WordPress.com API is asked at ``api.<site>``."""
    resolve = ", ".join(f'{toml_string(h)} = "127.0.0.1"' for h in sorted({site, *names}))
    path.write_text(
        f"""[organisation]
name = "Fixture Org"
timezone = "UTC"

[[organisation.sites]]
url = {toml_string(hosts.url(site))}
feed = {toml_string(hosts.url(site, "/feed/"))}
platform = "{platform}"

[linkbacks]
wpcom_api_base = {toml_string(hosts.url("api." + site))}

[crawl]
user_agent = "mediamon-tests (+https://fixtures.test/bot)"
allow_hosts = ["127.0.0.1"]
resolve = {{ {resolve} }}
download_delay = 0
concurrent_per_host = 16
timeout = {TIMEOUT_SECONDS}
max_redirects = 5
""",
        encoding="utf-8",
    )
    return path
