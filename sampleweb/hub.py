"""A small local WebSub hub and publisher for the tests (#21); never part of the product.

One HTTP server on 127.0.0.1 is both the publisher and the hub:

* ``GET /feeds/<name>`` serves the topic's current RSS document, advertising the hub in the
  ``Link`` header and in the document (``<atom:link rel="hub">``), as WordPress's and
  Blogger's feeds do;
* ``POST /hub`` takes (un)subscription requests (WebSub §5.1), answers 202, then verifies the
  subscriber's intent with a GET carrying a random ``hub.challenge`` (§5.3) on a thread of its
  own; only an echoed challenge makes (or ends) a subscription;
* ``publish(name, items)`` changes a topic and pushes the new document to every verified
  subscriber, signed ``X-Hub-Signature: sha256=<HMAC of the body>`` with the subscriber's
  secret (§7), and records when each push was answered.

``push_raw`` and ``verify_raw`` send whatever a test wants (unsigned, badly signed, another
topic, a verification nobody asked for), so the subscriber's refusals can be tested.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    text: str
    published: datetime


@dataclass
class Subscriber:
    callback: str
    topic: str
    secret: str
    lease_seconds: int


@dataclass
class Push:
    callback: str
    status: int
    sent_at: float
    """``time.monotonic()`` when the push was sent (the test's publish time)."""


@dataclass
class LocalHub:
    server: ThreadingHTTPServer
    feeds: dict[str, list[Item]] = field(default_factory=dict)
    subscribers: dict[tuple[str, str], Subscriber] = field(default_factory=dict)
    verifications: list[tuple[str, str, int, bool]] = field(default_factory=list)
    """(mode, topic, status, echoed) of every verification GET the hub made."""
    pushes: list[Push] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def hub_url(self) -> str:
        return f"{self.base}/hub"

    def topic(self, name: str) -> str:
        return f"{self.base}/feeds/{name}"

    def document(self, name: str) -> bytes:
        """The topic's RSS document, advertising the hub and itself."""
        rows = []
        for item in self.feeds.get(name, []):
            rows.append(
                f"<item><title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
                f"<guid>{escape(item.link)}</guid>"
                f"<pubDate>{format_datetime(item.published)}</pubDate>"
                f"<description>{escape(item.text)}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            f"<title>{escape(name)}</title><link>{self.base}/</link>"
            f'<atom:link rel="hub" href="{self.hub_url}"/>'
            f'<atom:link rel="self" href="{self.topic(name)}"/>'
            + "".join(rows)
            + "</channel></rss>"
        ).encode()

    def article_url(self, n: int) -> str:
        return f"{self.base}/articles/{n}"

    def article(self, path: str) -> bytes | None:
        """The HTML page of an item linking to ``<base><path>`` (the poll reads it)."""
        with self.lock:
            items = [i for feed in self.feeds.values() for i in feed]
        for item in items:
            if item.link == self.base + path:
                return (
                    f"<!doctype html><html><head><title>{escape(item.title)}</title></head>"
                    f"<body><article><h1>{escape(item.title)}</h1><p>{escape(item.text)}</p>"
                    "</article></body></html>"
                ).encode()
        return None

    def links(self, name: str) -> str:
        return f'<{self.hub_url}>; rel="hub", <{self.topic(name)}>; rel="self"'

    def wait_for(self, check: Any, timeout: float = 60) -> bool:
        """Wait until ``check()`` holds (the hub's state changes wake the waiter)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not check():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.5))
        return True

    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    # -- the hub side ------------------------------------------------------------------

    def _verify(self, form: dict[str, str]) -> None:
        mode, topic, callback = form["hub.mode"], form["hub.topic"], form["hub.callback"]
        lease = int(form.get("hub.lease_seconds") or 3600)
        challenge = secrets.token_hex(16)
        status, body = verify_raw(callback, mode, topic, challenge, lease)
        echoed = status == 200 and body == challenge
        with self.lock:
            self.verifications.append((mode, topic, status, echoed))
            if echoed and mode == "subscribe":
                self.subscribers[(callback, topic)] = Subscriber(
                    callback, topic, form.get("hub.secret", ""), lease
                )
            elif echoed and mode == "unsubscribe":
                self.subscribers.pop((callback, topic), None)
        self._notify()

    def publish(self, name: str, items: list[Item]) -> list[Push]:
        """Set the topic's items and push the document to every verified subscriber."""
        with self.lock:
            self.feeds[name] = list(items)
            targets = [s for s in self.subscribers.values() if s.topic == self.topic(name)]
        body = self.document(name)
        done = []
        for sub in targets:
            sent_at = time.monotonic()
            status = push_raw(
                sub.callback, body, signature=sign(sub.secret, body), link=self.links(name)
            )
            done.append(Push(sub.callback, status, sent_at))
        with self.lock:
            self.pushes += done
        self._notify()
        return done


def sign(secret: str, body: bytes, method: str = "sha256") -> str:
    digest = hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()
    return f"{method}={digest}"


def push_raw(callback: str, body: bytes, *, signature: str = "", link: str = "") -> int:
    """POST a document to a callback as a hub does; returns the HTTP status."""
    headers = {"Content-Type": "application/rss+xml"}
    if signature:
        headers["X-Hub-Signature"] = signature
    if link:
        headers["Link"] = link
    req = urllib.request.Request(callback, data=body, headers=headers, method="POST")  # noqa: S310 (a local http:// callback)
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def verify_raw(
    callback: str, mode: str, topic: str, challenge: str, lease: int = 3600
) -> tuple[int, str]:
    """The verification GET of intent; returns (status, body)."""
    query = urllib.parse.urlencode(
        {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge,
         "hub.lease_seconds": str(lease)}
    )  # fmt: skip
    sep = "&" if "?" in callback else "?"
    try:
        with urllib.request.urlopen(f"{callback}{sep}{query}", timeout=30) as answer:  # noqa: S310
            return int(answer.status), answer.read().decode()
    except urllib.error.HTTPError as exc:
        return int(exc.code), ""


def start_hub() -> LocalHub:
    hub: LocalHub

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            page = hub.article(path)
            if page is not None:
                self._answer(200, page, "text/html; charset=utf-8")
                return
            name = path.removeprefix("/feeds/")
            if not path.startswith("/feeds/") or name not in hub.feeds:
                self._answer(404, b"no such feed")
                return
            self._answer(200, hub.document(name), "application/rss+xml", hub.links(name))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            wanted = ("hub.mode", "hub.topic", "hub.callback")
            if self.path != "/hub" or not all(form.get(k) for k in wanted):
                self._answer(400, b"bad request")
                return
            self._answer(202, b"")
            threading.Thread(target=hub._verify, args=(form,), daemon=True).start()

        def _answer(
            self, status: int, body: bytes, ctype: str = "text/plain", link: str = ""
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if link:
                self.send_header("Link", link)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hub = LocalHub(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return hub


def stop_hub(hub: LocalHub) -> None:
    hub.server.shutdown()
    hub.server.server_close()


__all__ = ["Item", "LocalHub", "push_raw", "sign", "start_hub", "stop_hub", "verify_raw"]
