"""``mediamon web``: the newsroom web app (#20) under uvicorn.

The socket is bound before uvicorn starts (a port in use is a one-line failure), like
``mediamon serve``. Behind an HTTPS reverse proxy use ``--secure-cookies`` (the session
cookie is then only sent over HTTPS) and ``--proxy-headers`` so the per-address login limit
sees the clients' addresses, not the proxy's. ``--with-receiver`` serves the linkback
receiver's endpoints from the same process (one port, one service), instead of a separate
``mediamon serve``.
"""

from __future__ import annotations

import logging
import sys

import click
from starlette.types import ASGIApp, Receive, Scope, Send

from crawler.receiver.app import build_app
from reports.web.app import WebSettings, build_web_app
from scheduler.cmd_serve import _bind, _url_host, serve_on
from scheduler.context import App, Failure

pass_app = click.make_pass_decorator(App)

#: Paths the receiver answers when it runs in the web app's process (``--with-receiver``).
RECEIVER_PATHS = ("/xmlrpc", "/xmlrpc.php", "/webmention", "/trackback", "/healthz")


def with_receiver_app(web_app: ASGIApp, receiver: ASGIApp) -> ASGIApp:
    """One ASGI app: the receiver's endpoints go to the receiver, everything else to the
    web app (whose ``/`` is the inbox; the receiver's status page is not mounted)."""

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        to_receiver = path in RECEIVER_PATHS or path.startswith("/trackback/")
        await (receiver if to_receiver else web_app)(scope, receive, send)

    return dispatch


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option(
    "--secure-cookies/--no-secure-cookies",
    default=False,
    show_default=True,
    help="Send the session cookie over HTTPS only (behind an HTTPS reverse proxy).",
)
@click.option(
    "--proxy-headers/--no-proxy-headers",
    default=False,
    show_default=True,
    help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a reverse proxy).",
)
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, metavar="IPS")
@click.option(
    "--with-receiver",
    is_flag=True,
    help="Also answer the receiver's endpoints (/xmlrpc, /webmention, /trackback) here.",
)
@pass_app
def web(
    app: App,
    host: str,
    port: int,
    secure_cookies: bool,
    proxy_headers: bool,
    forwarded_allow_ips: str,
    with_receiver: bool,
) -> None:
    """The newsroom: search, triage and follow coverage in a browser (every organisation of
    the database; each user sees those granted to them)."""
    config, *others = app.configs
    engine = app.engine()
    settings = WebSettings(secure_cookies=secure_cookies, timezone=config.organisation.timezone)
    asgi: ASGIApp = build_web_app(engine, settings)
    if with_receiver:
        receiver = build_app(config, engine, proxy_headers=proxy_headers, others=others)
        asgi = with_receiver_app(asgi, receiver)
    sock = _bind(host, port)
    app.console.print(
        f"mediamon web for {config.organisation.name} on "
        f"http://{_url_host(sock)}:{sock.getsockname()[1]}/ "
        "(add a user with `mediamon user add NAME --role editor --password-stdin`)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    sys.stdout.flush()
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)
    started = serve_on(
        sock,
        asgi,
        config.receiver,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        access_log=True,
    )
    if not started:
        raise Failure("the web app did not start (see the log above)")
