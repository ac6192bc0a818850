"""A real receiver on a real port: uvicorn in a thread, a migrated database, known posts.

Every HTTP test talks to the server over a socket with ``http.client`` (keep-alive where it
matters), exactly as a sender would; after each test the fixture checks that ``/healthz``
still answers, so "nothing crashes the server" is checked everywhere, not in one test.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.engine import Engine

from crawler.config import Config, parse_config
from crawler.domain import Platform, Post
from crawler.receiver.app import build_app
from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.models import ReceiptRow
from crawler.storage.posts import upsert_posts
from scheduler.serving import ServerLimits, server_config

ORG = "Orbis Union"
BLOG = "https://blog.example.org"
POSTS = [f"{BLOG}/2024/05/first-post/", f"{BLOG}/2024/06/second-post/", f"{BLOG}/?p=77"]
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def make_config(**receiver: Any) -> Config:
    data: dict[str, Any] = {
        "organisation": {"name": ORG, "sites": [{"url": f"{BLOG}/"}]},
        "receiver": {"per_ip_per_minute": 1000, "per_domain_per_minute": 1000, **receiver},
    }
    return parse_config(data, env={})


def add_posts(engine: Engine, urls: list[str] = POSTS, org: str = ORG) -> None:
    posts = [
        Post(org=org, canonical_url=u, url=u, platform=Platform.WORDPRESS, wp_post_id=i)
        for i, u in enumerate(urls, start=1)
    ]
    with session_scope(engine) as session:
        upsert_posts(session, posts, NOW)


def receipts(engine: Engine) -> list[ReceiptRow]:
    with session_scope(engine) as session:
        return list(session.scalars(select(ReceiptRow).order_by(ReceiptRow.id)))


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Live:
    """A running receiver; ``request`` opens a fresh connection each time."""

    port: int
    engine: Engine
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket
    check_health: bool = True
    connections: list[http.client.HTTPConnection] = field(default_factory=list)

    def connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.connections.append(conn)
        return conn

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        conn: http.client.HTTPConnection | None = None,
    ) -> Reply:
        own = conn is None
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, body=body, headers=dict(headers or {}))
            response = c.getresponse()
            data = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            if own:
                c.close()

    def post_form(self, path: str, fields: Mapping[str, str] | bytes, **headers: str) -> Reply:
        body = fields if isinstance(fields, bytes) else urlencode(fields).encode()
        return self.request(
            "POST",
            path,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", **headers},
        )

    def post_xml(self, body: bytes, path: str = "/xmlrpc") -> Reply:
        return self.request("POST", path, body, {"Content-Type": "text/xml"})

    def healthy(self) -> bool:
        reply = self.request("GET", "/healthz")
        return reply.status == 200 and reply.text == "ok\n"


def start(
    config: Config,
    engine: Engine,
    *,
    proxy_headers: bool = False,
    clock: Callable[[], datetime] | None = None,
    **app_options: Any,
) -> Live:
    """Serve ``build_app(config, engine)`` on a free loopback port in a daemon thread."""
    # proto=IPPROTO_TCP, so asyncio sets TCP_NODELAY on accepted connections (with proto 0 it
    # does not, and every keep-alive response waits ~40 ms for a delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    app = build_app(
        config, engine, clock=clock or (lambda: NOW), proxy_headers=proxy_headers, **app_options
    )
    # The server `mediamon serve` runs, with its limits (from the config, like the command).
    receiver = config.receiver
    limits = ServerLimits(
        header_timeout=receiver.header_timeout_seconds,
        keep_alive=receiver.keep_alive_seconds,
        limit_concurrency=receiver.limit_concurrency,
    )
    server = uvicorn.Server(server_config(app, limits, proxy_headers=proxy_headers))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("receiver did not start")
        time.sleep(0.01)
    return Live(sock.getsockname()[1], engine, server, thread, sock)


def stop(live: Live) -> None:
    for conn in live.connections:
        conn.close()
    live.server.should_exit = True
    live.thread.join(timeout=10)
    live.sock.close()
    live.engine.dispose()  # the engine fixture may have disposed it before the last check


@pytest.fixture
def serve() -> Iterator[Callable[..., Live]]:
    """Start receivers for a test; each is checked healthy, then stopped, at the end."""
    started: list[Live] = []

    def _serve(config: Config, engine: Engine, **kwargs: Any) -> Live:
        live = start(config, engine, **kwargs)
        started.append(live)
        return live

    yield _serve
    try:
        for live in started:
            if live.check_health:
                assert live.healthy(), "the receiver stopped answering /healthz"
    finally:
        for live in started:
            stop(live)


@pytest.fixture
def live(serve: Callable[..., Live], engine: Engine) -> Live:
    """A receiver with default limits over each database (SQLite and PostgreSQL)."""
    add_posts(engine)
    return serve(make_config(), engine)


@pytest.fixture
def live_sqlite(serve: Callable[..., Live], sqlite_engine: Engine) -> Live:
    """The same on SQLite only, for the many bad-input cases."""
    add_posts(sqlite_engine)
    return serve(make_config(), sqlite_engine)


@pytest.fixture(scope="module")
def _shared_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('shared') / 'mediamon.db'}")
    upgrade(engine)
    add_posts(engine)
    live = start(make_config(), engine)
    yield live
    stop(live)


@pytest.fixture
def shared(_shared_live: Live) -> Iterator[Live]:
    """One receiver for a module's many bad-input cases, which must never store anything:
    after each case it must still be healthy and its database still empty."""
    yield _shared_live
    assert _shared_live.healthy(), "the receiver stopped answering /healthz"
    assert receipts(_shared_live.engine) == [], "a bad request was stored"
