"""`mediamon web --with-receiver`: the receiver's endpoints and the newsroom on one port."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from sqlalchemy.engine import Engine

from crawler.receiver.app import build_app
from reports.web.app import build_web_app
from scheduler.cmd_web import with_receiver_app
from scheduler.serving import ServerLimits, server_config
from tests.receiver.conftest import make_config
from tests.web.conftest import Client


def test_receiver_and_newsroom_share_a_port(sqlite_engine: Engine) -> None:
    app = with_receiver_app(build_web_app(sqlite_engine), build_app(make_config(), sqlite_engine))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(server_config(app, ServerLimits()))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.01)
    try:
        client = Client(sock.getsockname()[1])
        assert client.get("/healthz").text == "ok\n"
        webmention = client.post("/webmention", {"source": "not a url", "target": "x"})
        assert webmention.status == 400  # the receiver's answer, not the web app's CSRF 403
        assert "content-security-policy" not in webmention.headers
        login = client.get("/login")
        assert login.status == 200
        assert "frame-ancestors 'none'" in login.headers["content-security-policy"]
        assert client.get("/").status == 303  # the inbox, not the receiver's status page
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
