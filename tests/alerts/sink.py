"""A real local HTTP server standing in for a webhook channel (Apprise ``json://``).

It records every request (body and headers) and answers from a script: a status with
headers, or "hang" (no answer until released, to make the client time out).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Sink:
    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    script: deque[tuple[int | str, dict[str, str]]] = field(default_factory=deque)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: int = 0
    """Every request, taken or refused."""

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def idempotency_keys(self) -> list[str]:
        return [r.headers.get("Idempotency-Key", "") for r in self.received]

    def titles(self) -> list[str]:
        return [str(r.body.get("title", "")) for r in self.received]


def _decode(raw: bytes) -> dict[str, Any]:
    """JSON as it is; a form or XML body (``form://``, ``xml://``) kept as its text."""
    try:
        value = json.loads(raw)
    except ValueError:
        return {"raw": raw.decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"raw": value}


def start_sink() -> Sink:
    sink: Sink

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            with sink.lock:
                sink.attempts += 1
                answer = sink.script.popleft() if sink.script else (200, {})
            status, headers = answer
            if status == "hang":
                sink.release.wait(30)
                return
            if int(status) < 300:
                with sink.lock:
                    sink.received.append(Received(_decode(raw), dict(self.headers.items())))
            self.send_response(int(status))
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sink = Sink(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return sink


def stop_sink(sink: Sink) -> None:
    sink.release.set()
    sink.server.shutdown()
    sink.server.server_close()
