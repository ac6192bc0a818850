"""``mediamon serve``: run the linkback receiver (and its read-only pages) under uvicorn.

The socket is bound here, before uvicorn starts, so a port in use is a one-line failure
instead of a traceback, and the endpoint URLs printed on start carry the real port (also with
``--port 0``). Client addresses drive the per-IP rate limit, so ``X-Forwarded-For`` is only
believed with ``--proxy-headers`` and only from ``--forwarded-allow-ips`` (the reverse proxy):
otherwise anyone could pick the address they are limited under. Behind a reverse proxy
``--proxy-headers`` is required: without it every client has the proxy's address and shares
one rate limit (the receiver logs a warning when forwarded headers arrive without it). The
server's limits against slow clients are in ``scheduler.serving``.

Output: the endpoint URLs go to the console (stdout); uvicorn's and the receiver's logs go to
stderr through the CLI's logging setup (INFO at least, so a server says what it does).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from typing import Any

import click
import uvicorn

from crawler.config import Receiver
from crawler.receiver.app import build_app
from crawler.receiver.pages import endpoint_urls
from scheduler.context import App, Failure
from scheduler.serving import ServerLimits, server_config

pass_app = click.make_pass_decorator(App)

LOGGERS = ("uvicorn.error", "crawler.receiver")
BACKLOG = 2048


class _Server(uvicorn.Server):
    """uvicorn's server, except that a handled SIGINT/SIGTERM is a normal stop.

    uvicorn re-raises the signal after its graceful shutdown, so the process dies of it (and
    click turns a SIGINT into "Aborted!", exit 1) before the CLI can close the database. Here
    the signal only asks for the graceful shutdown, and ``serve`` returns with status 0. A
    second Ctrl-C still forces the exit, as in uvicorn.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def _bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on (host, port), IPv4 or IPv6 by the host's spelling."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise Failure(f"cannot bind {host}:{port}: {exc.strerror}") from None
    family, kind, _proto, _canon, address = infos[0]
    # An explicit IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted connections
    # of such a socket, and without it every keep-alive response waits for a delayed ACK.
    sock = socket.socket(family, kind, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)  # connectable from now on: senders queue until uvicorn accepts
    except OSError as exc:
        sock.close()
        raise Failure(f"cannot bind {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def _url_host(sock: socket.socket) -> str:
    host = str(sock.getsockname()[0])
    return f"[{host}]" if ":" in host else host


def _setup_logging(access_log: bool) -> None:
    level = min(logging.INFO, logging.getLogger().getEffectiveLevel())
    for name in LOGGERS:
        logging.getLogger(name).setLevel(level)
    for handler in logging.root.handlers:  # the CLI's handler filters at WARNING by default
        if handler.level > level:
            handler.setLevel(level)
    logging.getLogger("uvicorn.access").setLevel(level if access_log else logging.WARNING)


@click.command("serve")
@click.option("--host", metavar="H", help="Address to listen on (default: receiver.host).")
@click.option(
    "--port", type=click.IntRange(0, 65535), metavar="P", help="Port (default: receiver.port)."
)
@click.option(
    "--proxy-headers/--no-proxy-headers",
    default=False,
    show_default=True,
    help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a reverse proxy).",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    metavar="IPS",
    help="Comma-separated proxy addresses/networks whose forwarded headers are trusted.",
)
@click.option(
    "--access-log/--no-access-log", default=True, show_default=True, help="Log every request."
)
@pass_app
def serve(
    app: App,
    host: str | None,
    port: int | None,
    proxy_headers: bool,
    forwarded_allow_ips: str,
    access_log: bool,
) -> None:
    """The linkback receiver: Pingback, Webmention and TrackBack endpoints, a status page.

    One receiver serves every loaded organisation (#16): a ping goes to the organisation
    whose post its target is; the first config's [receiver] settings apply."""
    config, *others = app.configs
    engine = app.engine()
    host = host or config.receiver.host
    port = config.receiver.port if port is None else port
    asgi = build_app(config, engine, proxy_headers=proxy_headers, others=others)
    sock = _bind(host, port)
    local = f"http://{_url_host(sock)}:{sock.getsockname()[1]}"
    _setup_logging(access_log)
    lines = [f"mediamon receiver for {config.organisation.name} listening on {local}/"]
    lines += [f"  {name:<11} {url}" for name, url in endpoint_urls(local).items()]
    if config.receiver.public_url:
        lines.append(f"advertised as {config.receiver.public_url}:")
        public = endpoint_urls(config.receiver.public_url)
        lines += [
            f"  {name:<11} {public[name]}" for name in ("pingback", "webmention", "trackback")
        ]
    for line in lines:
        app.console.print(line, markup=False, highlight=False, soft_wrap=True)
    sys.stdout.flush()
    started = serve_on(
        sock,
        asgi,
        config.receiver,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        access_log=access_log,
    )
    if not started:
        raise Failure("the receiver did not start (see the log above)")
    logging.getLogger("crawler.receiver").info("receiver stopped")


def serve_on(
    sock: socket.socket,
    asgi: Any,
    receiver: Receiver,
    *,
    proxy_headers: bool,
    forwarded_allow_ips: str,
    access_log: bool,
) -> bool:
    """Serve ``asgi`` on the bound ``sock`` with the receiver's connection limits until
    SIGTERM or Ctrl-C; returns whether the server started. ``mediamon serve`` and
    ``mediamon web`` both serve through it."""
    limits = ServerLimits(
        header_timeout=receiver.header_timeout_seconds,
        keep_alive=receiver.keep_alive_seconds,
        limit_concurrency=receiver.limit_concurrency,
    )
    server = _Server(
        server_config(
            asgi,
            limits,
            proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips,
            access_log=access_log,
            backlog=BACKLOG,
        )
    )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return server.started
