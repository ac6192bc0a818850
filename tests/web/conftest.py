"""A real newsroom web app on a real port (uvicorn in a thread) and a cookie-keeping client
that talks to it over a socket, reading CSRF tokens out of the forms like a browser would."""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from crawler.storage.db import session_scope
from crawler.storage.users import Role, add_user
from reports.web.app import WebSettings, build_web_app
from scheduler.serving import ServerLimits, server_config
from tests.web.factories import NOW

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    text: str

    def csrf(self) -> str:
        found = _CSRF.search(self.text)
        assert found, "no csrf_token in the page"
        return found.group(1)


@dataclass
class Client:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] = {}
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = dict(headers)
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    for key, morsel in SimpleCookie(value).items():
                        if morsel["max-age"] == "0" or "expires=thu, 01 jan 1970" in value.lower():
                            self.cookies.pop(key, None)
                        else:
                            self.cookies[key] = morsel.value
            headers_out = {k.lower(): v for k, v in response.getheaders()}
            return Reply(response.status, headers_out, data)
        finally:
            conn.close()

    def get(self, path: str, **headers: str) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: list[tuple[str, str]] | dict[str, str]) -> Reply:
        body = urlencode(fields).encode()
        return self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def login(self, name: str, password: str = PASSWORD, next_path: str = "/") -> Reply:
        form = self.get("/login")
        return self.post(
            "/login",
            {"username": name, "password": password, "csrf_token": form.csrf(), "next": next_path},
        )


@dataclass
class Newsroom:
    port: int
    engine: Engine
    clock: Clock
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket

    def client(self) -> Client:
        return Client(self.port)

    def signed_in(self, name: str) -> Client:
        c = self.client()
        reply = c.login(name)
        assert reply.status == 303, reply.text
        return c


def add_users(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_user(s, "viv", PASSWORD, Role.VIEWER, ["Orbis"], NOW)
        add_user(s, "ed", PASSWORD, Role.EDITOR, ["Orbis"], NOW)
        add_user(s, "root", PASSWORD, Role.ADMIN, [], NOW)


def start(engine: Engine, settings: WebSettings | None = None) -> Newsroom:
    clock = Clock(NOW)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    app = build_web_app(engine, settings, clock=clock)
    server = uvicorn.Server(server_config(app, ServerLimits(10.0, 5, 100)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("web app did not start")
        time.sleep(0.01)
    return Newsroom(sock.getsockname()[1], engine, clock, server, thread, sock)


@pytest.fixture
def newsroom_factory() -> Iterator[Callable[..., Newsroom]]:
    started: list[Newsroom] = []

    def _start(engine: Engine, settings: WebSettings | None = None) -> Newsroom:
        room = start(engine, settings)
        started.append(room)
        return room

    yield _start
    for room in started:
        room.server.should_exit = True
        room.thread.join(timeout=10)
        room.sock.close()


@pytest.fixture
def newsroom(newsroom_factory: Callable[..., Newsroom], sqlite_engine: Engine) -> Newsroom:
    add_users(sqlite_engine)
    return newsroom_factory(sqlite_engine)
