"""The receiver's read-only pages: ``GET /`` (status) and ``GET /healthz``.

The status page says what the receiver is for and how to advertise it (the endpoints, the
header and tags to put on the organisation's pages) and how many receipts are in each state.
It shows nothing a stranger sent: no source URLs, no titles, so nothing there can be used for
spam or script injection; every interpolated value is escaped all the same. The counts are
reused for a few seconds, so reloading the page in a loop does not load the database.

``/healthz`` answers 200 ``ok`` when the database answers, 503 otherwise, for load balancers
and systemd watchdogs.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from html import escape
from urllib.parse import quote

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from crawler.domain import ReceiptState
from crawler.receiver.context import SECURITY_HEADERS, ReceiverContext
from crawler.storage.db import DatabaseError, check_connection, session_scope
from crawler.storage.receipts import count_receipts

__all__ = ["endpoint_urls", "health_endpoint", "receipt_counts", "status_endpoint"]

PAGE_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COUNTS_TTL_SECONDS = 5.0


def endpoint_urls(base: str) -> dict[str, str]:
    """The public URLs of the endpoints under ``base`` (the receiver's public root URL)."""
    root = base.rstrip("/")
    return {
        "pingback": f"{root}/xmlrpc",
        "webmention": f"{root}/webmention",
        "trackback": f"{root}/trackback?target=<post URL>",
        "status": f"{root}/",
        "health": f"{root}/healthz",
    }


def receipt_counts(engine: Engine, now: datetime) -> dict[ReceiptState, int]:
    """How many receipts are in each state."""
    with session_scope(engine) as session:
        return {
            state: count_receipts(session, state, _EPOCH, now + timedelta(days=1))
            for state in ReceiptState
        }


def _base(ctx: ReceiverContext, request: Request) -> str:
    return ctx.config.receiver.public_url or str(request.base_url)


def render_status(
    organisation: str, base: str, counts: dict[ReceiptState, int] | None, example_post: str
) -> str:
    """The status page's HTML (every value escaped)."""
    urls = endpoint_urls(base)
    pingback, webmention = urls["pingback"], urls["webmention"]
    trackback = urls["trackback"].replace("<post URL>", quote(example_post, safe=""))
    if counts is None:
        rows = '<tr><td colspan="2">unavailable: the database does not answer</td></tr>'
    else:
        rows = "".join(
            f"<tr><td>{escape(state.value)}</td><td>{count}</td></tr>"
            for state, count in counts.items()
        )
    advert = "\n".join(
        [
            f"X-Pingback: {pingback}",
            f'Link: <{webmention}>; rel="webmention"',
            f'<link rel="pingback" href="{pingback}">',
            f'<link rel="webmention" href="{webmention}">',
        ]
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>mediamon linkback receiver for {escape(organisation)}</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto}}
td{{padding:.2em 1em}} pre{{background:#f4f4f4;padding:1em;overflow:auto}}</style>
</head><body>
<h1>Linkback receiver for {escape(organisation)}</h1>
<p>This server accepts pingbacks, webmentions and trackbacks for the posts of
{escape(organisation)}, and verifies each one before it is recorded.</p>
<h2>Endpoints</h2>
<ul>
<li>Pingback (XML-RPC <code>pingback.ping</code>): <code>POST {escape(pingback)}</code></li>
<li>Webmention: <code>POST {escape(webmention)}</code></li>
<li>TrackBack: <code>POST {escape(trackback)}</code></li>
</ul>
<h2>Advertising on each post</h2>
<pre>{escape(advert)}</pre>
<h2>Receipts</h2>
<table><tr><th>state</th><th>count</th></tr>{rows}</table>
</body></html>
"""


def status_endpoint(
    ctx: ReceiverContext, engine: Engine
) -> Callable[[Request], Awaitable[Response]]:
    """``GET /``: the status page."""

    cached: list[tuple[float, dict[ReceiptState, int] | None]] = []

    async def status(request: Request) -> Response:
        # Counting costs queries; anyone may load this page, so counts are reused briefly.
        if cached and time.monotonic() - cached[0][0] < COUNTS_TTL_SECONDS:
            counts = cached[0][1]
        else:
            try:
                counts = await run_in_threadpool(receipt_counts, engine, ctx.clock())
            except SQLAlchemyError:
                counts = None
            cached[:] = [(time.monotonic(), counts)]
        sites = ctx.config.organisation.sites
        example = (sites[0].url.rstrip("/") if sites else "https://blog.example.org") + "/post/"
        html = render_status(ctx.config.organisation.name, _base(ctx, request), counts, example)
        return HTMLResponse(html, headers=PAGE_HEADERS)

    return status


def health_endpoint(engine: Engine) -> Callable[[Request], Awaitable[Response]]:
    """``GET /healthz``: 200 when the database answers."""

    async def health(_request: Request) -> Response:
        try:
            await run_in_threadpool(check_connection, engine)
        except (DatabaseError, SQLAlchemyError):
            return PlainTextResponse(
                "database unreachable\n", status_code=503, headers=dict(SECURITY_HEADERS)
            )
        return PlainTextResponse("ok\n", headers=dict(SECURITY_HEADERS))

    return health
