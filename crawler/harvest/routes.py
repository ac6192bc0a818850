"""Reading one route's response into a ``RouteResult``: the rules between a fetch and a parser.

Each function takes a ``Fetched`` (status, headers, body or a failure label) and answers
with the records it holds and the route's state, keeping three answers apart that a careless
harvester would confuse:

- ``ok`` with no records: the route answered and the post has nothing there;
- ``unavailable``: the route refused or does not exist here (core REST's anonymous
  ``rest_forbidden_param``, an unknown WordPress.com blog, XML-RPC switched off, no pingback
  endpoint advertised, a 404). It says nothing about the post's linkbacks;
- ``failed``: a transient fetch problem (timeout, 5xx, DNS): try again next time.

Parsers from ``crawler.linkbacks`` do the reading; a parser that raises on hostile input is
caught here, so a broken page or feed costs only its own route.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from crawler.harvest import model
from crawler.harvest.model import Fetched, PageEndpoints, PostTask, RouteResult, RouteState
from crawler.harvest.model import SourceCheck as Check
from crawler.linkbacks.comments import parse_comments
from crawler.linkbacks.discovery import Endpoints, discover
from crawler.linkbacks.feeds import DEFAULT_CAP, parse_comment_feed
from crawler.linkbacks.headers import first_header
from crawler.linkbacks.model import ParsedLinkback, RouteUnavailable
from crawler.linkbacks.verify import verify_source
from crawler.linkbacks.wpapi import core_comments_url, parse_core_comments, parse_replies
from crawler.linkbacks.wpapi import replies_url as _replies_url
from crawler.linkbacks.xmlrpc import parse_get_pingbacks_response
from crawler.matching.urls import canonicalize_url

__all__ = [
    "MAX_API_PAGES",
    "check_source",
    "comment_feed_url",
    "core_rest_url",
    "planned_routes",
    "read_core_rest",
    "read_endpoints",
    "read_feed",
    "read_page",
    "read_replies",
    "read_xmlrpc",
    "records_for_post",
    "replies_url",
    "site_feed_url",
    "wpcom_site",
]

MAX_API_PAGES = 20  # 2,000 pings per post per run; the rest next run
#: WordPress.com API error codes that close the route for the whole site, not one post.
SITE_WIDE_CODES = frozenset({"unknown_blog", "unauthorized", "invalid_blog", "blog_not_found"})
_TRANSIENT = frozenset({408, 425, 429})


def planned_routes(platform: str) -> tuple[str, ...]:
    """The routes worth asking for a post on this platform (in report order)."""
    if platform == "wordpress":
        return (
            model.HTML,
            model.WPCOM_API,
            model.WP_REST,
            model.XMLRPC,
            model.FEED,
            model.SITE_FEED,
        )
    if platform == "wordpress.com":
        return (model.HTML, model.WPCOM_API, model.XMLRPC, model.FEED, model.SITE_FEED)
    return (model.HTML, model.XMLRPC, model.FEED)


def _failed(route: str, fetched: Fetched) -> RouteResult | None:
    """The result for a fetch that brought no usable answer, or None to go on parsing."""
    if fetched.error:
        return RouteResult(route, RouteState.FAILED, detail=fetched.error)
    status = fetched.status or 0
    if status >= 500 or status in _TRANSIENT:
        return RouteResult(route, RouteState.FAILED, detail=f"HTTP {status}")
    return None


def _unavailable(route: str, exc: RouteUnavailable) -> RouteResult:
    """ "HTTP 401 rest_forbidden_param: Query parameter not permitted: type"."""
    head = " ".join(p for p in (f"HTTP {exc.status}" if exc.status else "", exc.code) if p)
    detail = f"{head}: {exc.reason}" if head and exc.reason != exc.code else head or exc.reason
    return RouteResult(route, RouteState.UNAVAILABLE, detail=detail)


def _content_type(fetched: Fetched) -> str | None:
    return first_header(fetched.headers, "content-type")


# ----------------------------------------------------------------------------- the page


def read_page(fetched: Fetched, org_authors: Iterable[str]) -> tuple[RouteResult, Endpoints | None]:
    """The post page: its comment list, and the endpoints it advertises."""
    failed = _failed(model.HTML, fetched)
    if failed is not None:
        return failed, None
    if not fetched.ok:
        return RouteResult(model.HTML, RouteState.UNAVAILABLE, detail=fetched.problem), None
    url = fetched.final_url or fetched.url
    try:
        records = parse_comments(
            fetched.body, url, org_authors=org_authors, content_type=_content_type(fetched)
        )
        endpoints = discover(url, fetched.headers, fetched.body)
    except Exception as exc:  # hostile markup must cost only this route
        detail = f"unreadable page: {type(exc).__name__}"
        return RouteResult(model.HTML, RouteState.FAILED, detail=detail), None
    return RouteResult(model.HTML, RouteState.OK, tuple(records)), endpoints


def read_endpoints(fetched: Fetched) -> PageEndpoints:
    """``mediamon linkbacks --check``: what the page advertises, judged on its final URL."""
    final = fetched.final_url or fetched.url
    if fetched.error:
        return PageEndpoints(fetched.url, final, fetched.status, error=fetched.error)
    try:
        found = discover(final, fetched.headers, fetched.body)
    except Exception as exc:  # hostile markup: report, never crash
        return PageEndpoints(fetched.url, final, fetched.status, error=f"unreadable: {exc}")
    return PageEndpoints(
        url=fetched.url,
        final_url=final,
        status=fetched.status,
        pingback=found.pingback,
        webmention=found.webmention,
        trackback=found.trackback,
        notes=found.notes,
    )


# ----------------------------------------------------------------------------- feeds


def comment_feed_url(task: PostTask) -> str:
    """The post's comment feed: from its posts-feed entry, else WordPress's ``<post>/feed/``."""
    if task.comment_feed_url:
        return task.comment_feed_url
    if task.platform in ("wordpress", "wordpress.com"):
        return task.url.split("#", 1)[0].rstrip("/") + "/feed/"
    return ""


def site_feed_url(site_url: str) -> str:
    return site_url.split("#", 1)[0].rstrip("/") + "/comments/feed/"


def read_feed(
    fetched: Fetched,
    post_url: str,
    org_authors: Iterable[str],
    *,
    route: str = model.FEED,
    cap: int = DEFAULT_CAP,
) -> RouteResult:
    """A per-post or site-wide comment feed; ``truncated`` when it holds ``cap`` items."""
    failed = _failed(route, fetched)
    if failed is not None:
        return failed
    if not fetched.ok:
        return RouteResult(route, RouteState.UNAVAILABLE, detail=fetched.problem)
    headers = dict(fetched.headers)
    try:
        feed = parse_comment_feed(
            fetched.body, headers, post_url=post_url, cap=cap, org_authors=org_authors
        )
    except Exception as exc:  # feedparser on hostile bytes: this route only
        return RouteResult(route, RouteState.UNAVAILABLE, detail=f"unreadable feed: {exc}")
    if feed.error:
        return RouteResult(route, RouteState.UNAVAILABLE, detail=feed.error)
    detail = f"truncated at {cap} items" if feed.truncated else ""
    return RouteResult(route, RouteState.OK, feed.items, detail=detail, truncated=feed.truncated)


def records_for_post(records: Iterable[ParsedLinkback], task: PostTask) -> list[ParsedLinkback]:
    """The site-wide feed's items that belong to ``task``'s post (by WordPress id or URL)."""

    def ours(record: ParsedLinkback) -> bool:
        if task.wp_post_id is not None and record.post_id == task.wp_post_id:
            return True
        return bool(record.target_url) and _canonical(record.target_url) == task.canonical_url

    return [record for record in records if ours(record)]


def _canonical(url: str) -> str:
    try:
        return canonicalize_url(url)
    except Exception:  # a hostile URL never equals one of our posts
        return ""


# ----------------------------------------------------------------------------- JSON APIs


def wpcom_site(task: PostTask) -> str:
    """The WordPress.com API's site name for the post: the host of our site."""
    for url in (task.site_url, task.url):
        try:
            host = urlsplit(url).hostname
        except ValueError:
            continue
        if host:
            return host.lower()
    return ""


def replies_url(api_base: str, site: str, post_id: int, page: int) -> str:
    """One page of ``/sites/<site>/posts/<id>/replies/?type=pings`` (100 a page)."""
    return _replies_url(site, post_id, page=page, api=api_base.rstrip("/") + "/rest/v1.1")


def read_replies(fetched: Fetched, page: int) -> tuple[RouteResult, int | None, bool]:
    """One page of WordPress.com replies: (result, next page or None, closed for the site)."""
    failed = _failed(model.WPCOM_API, fetched)
    if failed is not None:
        return failed, None, False
    try:
        parsed = parse_replies(fetched.body, status=fetched.status or 0, page=page)
    except RouteUnavailable as exc:
        return _unavailable(model.WPCOM_API, exc), None, exc.code in SITE_WIDE_CODES
    result = RouteResult(model.WPCOM_API, RouteState.OK, parsed.items)
    next_page = parsed.next_page if page < MAX_API_PAGES else None
    return result, next_page, False


def core_rest_url(site_url: str, wp_post_id: int) -> str:
    return core_comments_url(site_url, wp_post_id, comment_type="pingback")


def read_core_rest(fetched: Fetched, post_url: str, org_authors: Iterable[str]) -> RouteResult:
    """Core REST pings: anonymous clients are refused (``rest_forbidden_param``), which is
    "route unavailable", never "no pingbacks"."""
    failed = _failed(model.WP_REST, fetched)
    if failed is not None:
        return failed
    try:
        records = parse_core_comments(
            fetched.status or 0, fetched.body, post_url=post_url, org_authors=org_authors
        )
    except RouteUnavailable as exc:
        return _unavailable(model.WP_REST, exc)
    return RouteResult(model.WP_REST, RouteState.OK, tuple(records))


def read_xmlrpc(fetched: Fetched, post_url: str) -> RouteResult:
    """``pingback.extensions.getPingbacks``: a fault (unknown post, XML-RPC off) is
    "unavailable"."""
    failed = _failed(model.XMLRPC, fetched)
    if failed is not None:
        return failed
    if not fetched.ok:
        return RouteResult(model.XMLRPC, RouteState.UNAVAILABLE, detail=fetched.problem)
    try:
        records = parse_get_pingbacks_response(fetched.body, post_url)
    except RouteUnavailable as exc:
        return _unavailable(model.XMLRPC, exc)
    return RouteResult(model.XMLRPC, RouteState.OK, tuple(records))


# ----------------------------------------------------------------------------- sources


def check_source(fetched: Fetched, target: str) -> Check:
    """Verify a fetched source page against our post ``target`` (canonical URL)."""
    if fetched.error:
        return Check(fetched.url, fetched.final_url, fetched.status, error=fetched.error)
    final = fetched.final_url or fetched.url
    try:
        verification = verify_source(
            final,
            fetched.status or 0,
            fetched.headers,
            fetched.body,
            target,
            canon=canonicalize_url,
        )
    except Exception as exc:  # hostile markup: the check failed, nothing else
        return Check(fetched.url, final, fetched.status, error=f"unreadable page: {exc}"[:300])
    return Check(fetched.url, final, fetched.status, verification=verification)
