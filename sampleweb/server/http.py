"""A small HTTP/1.1 server on asyncio streams, running its own event loop in a thread.

Why not ``ThreadingHTTPServer``: the misbehaving endpoints need many connections that do
nothing for a long time (a 30 s hang after the headers, 2 s delays, a 64 MB body trickling to a
slow reader). One event loop holds any number of those at no cost, where a thread per
connection makes each one a thread; and streams give back-pressure (``drain``) for the huge
body and a clean way to notice a client that went away (EOF on read). Raw speed is not the
reason: measured on this 2-core machine with 4 keep-alive client processes fetching one cached
feed, ``ThreadingHTTPServer`` did about 6,300 req/s and this server about 6,800 (and the former
only 91 req/s until ``disable_nagle_algorithm`` was set, because it sends headers and body in
separate writes). Why not uvicorn + Starlette: they are installed, but uvicorn here has only the
pure-Python h11 parser (no httptools), installs its own signal handlers, and is awkward to run in
a test process's thread; and owning the parser gives exact control over what is a malformed
request (400), which the tests need.

Keep-alive follows HTTP/1.1 (persistent unless ``Connection: close``; HTTP/1.0 only with
``Connection: keep-alive``). Request bodies may be sized or chunked; ``Expect: 100-continue`` is
honoured. Each response goes out in one write. Every connection is a task that the server
cancels on stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus

from sampleweb.pages.messages import (
    Request,
    Response,
    not_modified,
    validator_headers,
    wants_gzip,
)

log = logging.getLogger(__name__)

MAX_LINE = 16 * 1024
MAX_HEADERS = 100
MAX_BODY = 4 * 1024 * 1024
IDLE_TIMEOUT = 30.0
HEADER_TIMEOUT = 10.0

App = Callable[[Request], Response]


class BadRequest(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _is_token(value: str) -> bool:
    return bool(value) and all(c in _TOKEN for c in value)


class _Clock:
    """The Date header, formatted once per second."""

    def __init__(self) -> None:
        self._second = 0
        self._value = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._value = formatdate(second, usegmt=True)
        return self._value


class HttpServer:
    """Serves ``app`` on 127.0.0.1 from a background thread (``start``/``stop``)."""

    def __init__(self, app: App, host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._clock = _Clock()
        #: Seconds every response waits before it is sent, so that requests overlap the way
        #: they do on the real web (0: answer at once). Tests of politeness set it.
        self.pace_seconds = 0.0
        #: Requests being answered now, and the most ever at once, per Host header: what a
        #: politeness test checks (touched only on the server's event loop thread).
        self.in_flight: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    # ------------------------------------------------------------------ lifecycle

    def start(self, port: int = 0) -> int:
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._ready.clear()
        self._thread = threading.Thread(
            target=self._run, args=(port,), name="sampleweb-http", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("sample web did not start")
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise self._error
        return self.port

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None

    def _run(self, port: int) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        server: asyncio.Server | None = None
        try:
            server = loop.run_until_complete(
                asyncio.start_server(
                    self._connection, self.host, port, backlog=4096, limit=MAX_LINE
                )
            )
            self.port = int(server.sockets[0].getsockname()[1])
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            if self._tasks:
                loop.run_until_complete(asyncio.gather(*self._tasks, return_exceptions=True))
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.wait_for(server.wait_closed(), 2))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    # ------------------------------------------------------------------ connections

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            keep_alive = True
            while keep_alive:
                try:
                    req = await self._read_request(reader, writer)
                except BadRequest as bad:
                    await self._send_error(writer, bad.status, bad.reason)
                    return
                if req is None:
                    return
                keep_alive = await self._counted(req, reader, writer)
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.transport.abort() if writer.transport.get_write_buffer_size() else writer.close()

    async def _counted(
        self, req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """``_respond``, counted in ``in_flight``/``peak`` for its host, after the pace."""
        host = req.host
        now = self.in_flight.get(host, 0) + 1
        self.in_flight[host] = now
        self.peak[host] = max(self.peak.get(host, 0), now)
        try:
            if self.pace_seconds:
                await asyncio.sleep(self.pace_seconds)
            return await self._respond(req, reader, writer)
        finally:
            self.in_flight[host] -= 1

    async def _readline(self, reader: asyncio.StreamReader) -> bytes:
        try:
            return await reader.readline()
        except ValueError as exc:  # line longer than the stream limit
            raise BadRequest(431, "request line or header too long") from exc

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> Request | None:
        async with asyncio.timeout(IDLE_TIMEOUT):
            line = await self._readline(reader)
            while line in (b"\r\n", b"\n"):
                line = await self._readline(reader)
        if not line:
            return None
        if not line.endswith(b"\n"):
            raise BadRequest(400, "incomplete request line")
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3:
            raise BadRequest(400, "malformed request line")
        method, target, version = parts
        if not _is_token(method) or not target or any(ord(c) < 33 or ord(c) > 126 for c in target):
            raise BadRequest(400, "malformed request line")
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            if version.startswith("HTTP/") and version[5:6].isdigit():
                raise BadRequest(505, "HTTP version not supported")
            raise BadRequest(400, "malformed request line")
        if not (
            target.startswith("/") or target.startswith(("http://", "https://")) or target == "*"
        ):
            raise BadRequest(400, "malformed request target")
        headers: dict[str, str] = {}
        async with asyncio.timeout(HEADER_TIMEOUT):
            for _ in range(MAX_HEADERS + 1):
                raw = await self._readline(reader)
                if not raw.endswith(b"\n"):
                    raise BadRequest(400, "incomplete headers")
                if raw in (b"\r\n", b"\n"):
                    break
                text = raw.decode("latin-1").rstrip("\r\n")
                name, sep, value = text.partition(":")
                if not sep or not _is_token(name):
                    raise BadRequest(400, "malformed header line")
                key = name.lower()
                value = value.strip()
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
            else:
                raise BadRequest(431, "too many headers")
            if version == "HTTP/1.1" and "host" not in headers:
                raise BadRequest(400, "missing Host header")
            body = await self._read_body(reader, writer, headers, version)
        return Request(method=method, target=target, headers=headers, body=body, version=version)

    async def _read_body(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        headers: dict[str, str],
        version: str,
    ) -> bytes:
        te = headers.get("transfer-encoding", "").lower()
        length_header = headers.get("content-length")
        if not te and length_header is None:
            return b""
        if headers.get("expect", "").lower() == "100-continue" and version == "HTTP/1.1":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if te:
            if te != "chunked" or length_header is not None:
                raise BadRequest(400, "unsupported transfer coding")
            chunks: list[bytes] = []
            total = 0
            while True:
                size_line = (await self._readline(reader)).split(b";")[0].strip()
                try:
                    size = int(size_line, 16)
                except ValueError as exc:
                    raise BadRequest(400, "bad chunk size") from exc
                if size == 0:
                    while (await self._readline(reader)) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise BadRequest(413, "request body too large")
                chunks.append(await reader.readexactly(size))
                await reader.readline()
        assert length_header is not None
        if not length_header.isdigit():
            raise BadRequest(400, "bad Content-Length")
        length = int(length_header)
        if length > MAX_BODY:
            raise BadRequest(413, "request body too large")
        return await reader.readexactly(length) if length else b""

    # ------------------------------------------------------------------ responses

    def _head(self, status: int, headers: list[tuple[str, str]]) -> bytes:
        lines = [
            f"HTTP/1.1 {status} {_reason(status)}",
            f"Date: {self._clock.now()}",
            "Server: sampleweb",
        ]
        lines.extend(f"{k}: {v}" for k, v in headers)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    async def _send_error(self, writer: asyncio.StreamWriter, status: int, reason: str) -> None:
        body = f"{status} {_reason(status)}: {reason}\n".encode()
        head = self._head(
            status,
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Connection", "close"),
            ],
        )
        with contextlib.suppress(ConnectionError):
            writer.write(head + body)
            await writer.drain()

    def _keep_alive(self, req: Request, resp: Response) -> bool:
        conn = req.headers.get("connection", "").lower()
        if resp.close or "close" in conn:
            return False
        return req.version == "HTTP/1.1" or "keep-alive" in conn

    async def _respond(
        self, req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        try:
            resp = self.app(req)
        except Exception:
            log.exception("handler failed for %s %s", req.host, req.target)
            resp = Response(500, b"<h1>Internal Server Error</h1>", close=True)
        if resp.delay:
            await asyncio.sleep(resp.delay)
        keep = self._keep_alive(req, resp)
        conn = [("Connection", "keep-alive" if keep else "close")]
        if not_modified(req, resp):
            writer.write(self._head(304, [*validator_headers(resp), *conn]))
            await writer.drain()
            return keep
        resp.materialise()
        headers = [("Content-Type", resp.content_type), *resp.headers, *validator_headers(resp)]
        if resp.stream is not None:
            assert resp.content_length is not None
            writer.write(
                self._head(
                    resp.status, [*headers, ("Content-Length", str(resp.content_length)), *conn]
                )
            )
            if req.method != "HEAD":
                async for chunk in resp.stream():
                    writer.write(chunk)
                    await writer.drain()
            return keep
        body = resp.body
        if wants_gzip(req, resp):
            body = resp.gzipped()
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        elif resp.compressible and resp.content_type.startswith(("text/", "application/")):
            headers.append(("Vary", "Accept-Encoding"))
        head = self._head(resp.status, [*headers, ("Content-Length", str(len(body))), *conn])
        if resp.hang:
            writer.write(head)
            await writer.drain()
            try:
                async with asyncio.timeout(resp.hang):
                    while await reader.read(65536):
                        pass
                return False  # the client hung up first
            except TimeoutError:
                pass
            keep = False
        if req.method == "HEAD" or resp.status in (204, 304):
            writer.write(head if not resp.hang else b"")
        else:
            writer.write(body if resp.hang else head + body)
        await writer.drain()
        return keep
