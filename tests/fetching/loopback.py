"""A loopback HTTP server for fetch tests: redirects, a gzip bomb, a page that links.

HTTP/1.0 (one connection per request, so every fetch makes its own DNS lookup and connection)
and every request path logged, so a test can check that an address was never connected to.

* ``/redirect/<url with ~ for :>`` answers 302 to that URL;
* ``/bomb`` is 8 MiB of zeros gzipped to a few KiB (``Content-Encoding: gzip``);
* ``/link?to=<url>`` is an HTML page that links to ``<url>``;
* anything else is a small HTML page.
"""

from __future__ import annotations

import gzip
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOMB = gzip.compress(b"\0" * (8 * 1024 * 1024), compresslevel=9)


class Server:
    """A loopback HTTP/1.0 server (one connection per request) that logs what it gets."""

    def __init__(self, host: str, port: int = 0) -> None:
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                path = self.path.split("?", 1)[0]
                if path.startswith("/redirect/"):
                    self.send_response(302)
                    self.send_header("Location", path.removeprefix("/redirect/").replace("~", ":"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path == "/bomb":
                    body = BOMB
                elif path == "/link":
                    to = parse_qs(urlsplit(self.path).query).get("to", [""])[0]
                    body = (
                        "<!doctype html><html><head><title>Citing post</title></head><body>"
                        f'<article><p>We cite <a href="{html.escape(to)}">this post</a>.</p>'
                        "</article></body></html>"
                    ).encode()
                else:
                    body = f"page {self.path}".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                if path == "/bomb":
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
