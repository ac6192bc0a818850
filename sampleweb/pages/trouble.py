"""``trouble.test``: one host of endpoints that misbehave in the ways real sites do.

Each endpoint has a fixed name in the ground truth (``ENDPOINTS``) so tests and benchmarks can
find it without hard-coding paths. Timing behaviours (slow, hang) and the 64 MiB page are
declared on the Response and carried out by the server without blocking other clients; the
huge page is streamed from one pre-built 64 KiB block and never exists in memory whole.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formatdate

from sampleweb.pages import syndication as feeds
from sampleweb.pages.html import Ctx, esc
from sampleweb.pages.messages import Request, Response, html, not_found, redirect, text, xml
from sampleweb.pages.syndication import FeedItem, FeedMeta

HOST = "trouble.test"
HUGE_PAGE_BYTES = 64 * 1024 * 1024
HUGE_FEED_ITEMS = 2500
_BLOCK = 64 * 1024

ENDPOINTS: dict[str, str] = {
    "slow": "/slow",
    "error_500": "/error-500",
    "rate_limited": "/rate-limited",
    "rate_limited_date": "/rate-limited-date",
    "redirect_loop": "/loop/a",
    "moved_feed": "/feeds/moved.xml",
    "gone_feed": "/feeds/gone.xml",
    "illformed_feed": "/feeds/illformed.xml",
    "html_as_feed": "/feeds/html-instead.xml",
    "wrong_charset_feed": "/feeds/wrong-charset.xml",
    "empty_feed": "/feeds/empty.xml",
    "huge_feed": "/feeds/huge.xml",
    "huge_page": "/huge-page",
    "robots_disallowed": "/private/members-report/",
    "conditional_feed": "/feeds/conditional.xml",
    "hang_after_headers": "/hang",
}
MOVED_TARGET = "/feeds/new-home.xml"
_EPOCH = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Timing:
    slow_seconds: float = 2.0
    hang_seconds: float = 30.0


def _item(n: int, ctx: Ctx) -> FeedItem:
    url = ctx.url(HOST, f"/articles/{n}/")
    return FeedItem(
        title=f"Trouble Times item {n}",
        link=url,
        guid=url,
        guid_is_permalink=True,
        published=_EPOCH + timedelta(hours=n),
        summary=f"Item number {n} of the Trouble Times archive, kept for testing feed readers.",
    )


def _meta(ctx: Ctx, path: str, title: str = "Trouble Times") -> FeedMeta:
    return FeedMeta(
        title, ctx.url(HOST), ctx.url(HOST, path), "Feeds and pages that go wrong on purpose"
    )


def handle(req: Request, ctx: Ctx, timing: Timing) -> Response:
    path = req.path
    if path == "/":
        rows = "".join(
            f'<li><a href="{esc(p)}">{esc(name)}</a></li>' for name, p in ENDPOINTS.items()
        )
        return html(f"<!doctype html><title>Trouble Times</title><h1>Endpoints</h1><ul>{rows}</ul>")
    if path == "/robots.txt":
        return text("User-agent: *\nDisallow: /private/\n")
    if path == "/slow":
        resp = html("<!doctype html><title>Slow page</title><p>Worth the wait.</p>")
        resp.delay = timing.slow_seconds
        resp.cacheable = False
        return resp
    if path == "/error-500":
        return Response(500, b"<!doctype html><title>Error</title><h1>Internal Server Error</h1>")
    if path == "/rate-limited":
        return Response(
            429, b"Too many requests", "text/plain; charset=utf-8", [("Retry-After", "120")]
        )
    if path == "/rate-limited-date":
        retry = formatdate(time.time() + 120, usegmt=True)
        return Response(
            429, b"Too many requests", "text/plain; charset=utf-8", [("Retry-After", retry)]
        )
    if path == "/loop/a":
        return redirect(ctx.url(HOST, "/loop/b"), 302)
    if path == "/loop/b":
        return redirect(ctx.url(HOST, "/loop/a"), 302)
    if path == ENDPOINTS["moved_feed"]:
        return redirect(ctx.url(HOST, MOVED_TARGET), 301)
    if path == MOVED_TARGET:
        items = [_item(n, ctx) for n in range(8, 0, -1)]
        return xml(
            feeds.rss(_meta(ctx, MOVED_TARGET), items),
            feeds.CONTENT_TYPES["rss"],
            last_modified=items[0].published,
        )
    if path == ENDPOINTS["gone_feed"]:
        return Response(
            410, b"<!doctype html><title>Gone</title><p>This feed has been retired.</p>"
        )
    if path == ENDPOINTS["illformed_feed"]:
        return Response(
            200, _illformed(ctx).encode("utf-8"), feeds.CONTENT_TYPES["rss"], cacheable=True
        )
    if path == ENDPOINTS["html_as_feed"]:
        body = (
            "<!doctype html><html><head><title>Subscribe to Trouble Times</title></head><body>"
            "<h1>Our feeds have moved</h1>"
            "<p>Please visit our new subscription centre.</p></body></html>"
        )
        return html(body)
    if path == ENDPOINTS["wrong_charset_feed"]:
        return Response(
            200, _wrong_charset(ctx), "application/rss+xml; charset=utf-8", cacheable=True
        )
    if path == ENDPOINTS["empty_feed"]:
        return xml(
            feeds.rss(_meta(ctx, path, "Trouble Times: nothing yet"), []),
            feeds.CONTENT_TYPES["rss"],
            last_modified=_EPOCH,
        )
    if path == ENDPOINTS["huge_feed"]:
        return Response(
            200,
            _huge_feed(ctx.port),
            feeds.CONTENT_TYPES["rss"],
            cacheable=True,
            last_modified=_EPOCH + timedelta(hours=HUGE_FEED_ITEMS),
        )
    if path == ENDPOINTS["conditional_feed"]:
        items = [_item(n, ctx) for n in range(12, 0, -1)]
        return xml(
            feeds.rss(_meta(ctx, path), items),
            feeds.CONTENT_TYPES["rss"],
            last_modified=items[0].published,
        )
    if path == ENDPOINTS["huge_page"]:
        return Response(
            200,
            content_type="text/html; charset=utf-8",
            stream=_huge_stream,
            content_length=HUGE_PAGE_BYTES,
            compressible=False,
        )
    if path == ENDPOINTS["hang_after_headers"]:
        waited = b"<!doctype html><title>Finally</title><p>Sorry for the wait.</p>"
        return Response(200, waited, compressible=False, hang=timing.hang_seconds)
    if path.startswith("/private/"):
        return html(
            "<!doctype html><title>Members only</title>"
            "<h1>Members' report</h1><p>Not for robots.</p>"
        )
    if path.startswith("/articles/"):
        raw = path[len("/articles/") :].strip("/")
        if raw.isdigit() and 1 <= int(raw) <= HUGE_FEED_ITEMS:
            n = int(raw)
            return html(
                f"<!doctype html><html><head><title>Trouble Times item {n}</title></head><body>"
                f"<article><h1>Trouble Times item {n}</h1><p>Archive item {n}.</p></article>"
                "</body></html>",
                last_modified=_EPOCH + timedelta(hours=n),
            )
    return not_found(req.target)


def _illformed(ctx: Ctx) -> str:
    """Unescaped ampersands, an unclosed inline tag and no closing </rss>: recoverable."""
    base = ctx.url(HOST)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        "<title>Trouble Times & Friends</title>\n"
        f"<link>{base}</link>\n<description>Feeds that went wrong</description>\n"
        "<item>\n<title>Fish & chips shop reopens on the quay</title>\n"
        f"<link>{base}articles/1/</link>\n"
        "<description>The shop <b>reopened on Monday after repairs.</description>\n"
        "<pubDate>Thu, 01 Oct 2026 07:00:00 +0000</pubDate>\n"
        f"<guid>{base}articles/1/</guid>\n</item>\n"
        "<item>\n<title>Harbour lights festival returns</title>\n"
        f"<link>{base}articles/2/</link>\n"
        "<description>Lanterns <br> and music along the harbour & the old town.</description>\n"
        "<pubDate>Thu, 01 Oct 2026 08:00:00 +0000</pubDate>\n"
        f"<guid>{base}articles/2/</guid>\n</item>\n"
        "<item>\n<title>Ferry timetable changes</title>\n"
        f"<link>{base}articles/3/</link>\n"
        "<description>New times from Monday.</description>\n"
        "<pubDate>Thu, 01 Oct 2026 09:00:00 +0000</pubDate>\n"
        f"<guid>{base}articles/3/</guid>\n</item>\n</channel>\n"
    )


def _wrong_charset(ctx: Ctx) -> bytes:
    """Declared UTF-8 (in the XML declaration and the header), encoded windows-1252."""
    items = [
        FeedItem(
            title="Café owners’ association elects new chair",
            link=ctx.url(HOST, "/articles/4/"),
            guid=ctx.url(HOST, "/articles/4/"),
            published=_EPOCH + timedelta(hours=4),
            summary="The association – founded in 1987 – now counts 120 members "
            "and a budget of €40,000.",
        ),
        FeedItem(
            title="A naïve question about “smart” meters",
            link=ctx.url(HOST, "/articles/5/"),
            guid=ctx.url(HOST, "/articles/5/"),
            published=_EPOCH + timedelta(hours=5),
            summary="Readers ask whether the new meters are worth it… we asked an engineer.",
        ),
    ]
    return feeds.rss(_meta(ctx, ENDPOINTS["wrong_charset_feed"]), items).encode("cp1252")


@functools.lru_cache(maxsize=4)
def _huge_feed(port: int) -> bytes:
    base = f"http://{HOST}:{port}"
    items = [
        FeedItem(
            title=f"Trouble Times item {n}",
            link=f"{base}/articles/{n}/",
            guid=f"{base}/articles/{n}/",
            guid_is_permalink=True,
            published=_EPOCH + timedelta(hours=n),
            summary=f"Item number {n} of the Trouble Times archive, kept for testing feed readers.",
        )
        for n in range(HUGE_FEED_ITEMS, 0, -1)
    ]
    meta = FeedMeta(
        "Trouble Times: everything",
        f"{base}/",
        f"{base}{ENDPOINTS['huge_feed']}",
        "Every item ever",
    )
    return feeds.rss(meta, items).encode("utf-8")


def _block() -> bytes:
    line = b"<p>This page goes on and on and on and on, far past any sane size.</p>\n"
    data = line * (_BLOCK // len(line) + 1)
    return data[:_BLOCK]


_HUGE_BLOCK = _block()


async def _huge_stream() -> AsyncIterator[bytes]:
    head = b"<!doctype html><html><head><title>Huge page</title></head><body>\n"
    tail = b"\n</body></html>\n"
    middle = HUGE_PAGE_BYTES - len(head) - len(tail)
    yield head
    for _ in range(middle // _BLOCK):
        yield _HUGE_BLOCK
    rest = middle % _BLOCK
    if rest:
        yield _HUGE_BLOCK[:rest]
    yield tail
