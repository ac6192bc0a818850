"""Listing posts through the JSON APIs: core WordPress REST and the WordPress.com public API.

Both are paged, 100 posts a page. A refusal (401/403: the REST API switched off or behind a
login plugin; 404: no such route or blog) is ``UNAVAILABLE``, which sends the sync to the
other routes; a 5xx or 429 is ``FAILED`` (try again next sync). WordPress answers a page past
the end with 400 ``rest_post_invalid_page_number``: that is the end, not an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.posts.model import WP_REST, WPCOM_API, FoundPost, RoutePage, RouteStatus

__all__ = [
    "PER_PAGE",
    "parse_rest_posts",
    "parse_wpcom_posts",
    "rest_posts_url",
    "shortlink_for",
    "with_page",
    "wpcom_posts_url",
]

PER_PAGE = 100
_REFUSED = frozenset({401, 403, 404, 410})


def rest_posts_url(site_url: str, page: int, *, since: datetime | None = None) -> str:
    """``/wp-json/wp/v2/posts`` page ``page`` (only the fields we keep)."""
    query: dict[str, str] = {
        "per_page": str(PER_PAGE),
        "page": str(page),
        "orderby": "date",
        "order": "desc",
        "_fields": "id,link,date_gmt,title,guid",
    }
    if since is not None:
        query["after"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return site_url.split("#", 1)[0].rstrip("/") + "/wp-json/wp/v2/posts?" + urlencode(query)


def wpcom_posts_url(api_base: str, site: str, page: int, *, since: datetime | None = None) -> str:
    """The WordPress.com public API's ``/sites/<site>/posts/`` page ``page``."""
    query: dict[str, str] = {
        "number": str(PER_PAGE),
        "page": str(page),
        "order_by": "date",
        "fields": "ID,URL,short_URL,date,title",
    }
    if since is not None:
        query["after"] = since.astimezone(UTC).isoformat()
    base = api_base.rstrip("/") + f"/rest/v1.1/sites/{site}/posts/"
    return base + "?" + urlencode(query)


def with_page(url: str, name: str, page: int) -> str:
    """``url`` with its ``name`` query parameter set to ``page`` (others kept, in order)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def shortlink_for(site_url: str, wp_post_id: int) -> str:
    """WordPress's own shortlink, ``<home>/?p=ID`` (what ``wp_get_shortlink`` gives)."""
    return site_url.split("#", 1)[0].split("?", 1)[0].rstrip("/") + f"/?p={wp_post_id}"


def _date(value: Any, *, naive_is_utc: bool = True) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC) if naive_is_utc else None
    return parsed.astimezone(UTC)


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("rendered", "")
    return unescape(str(value or "")).strip()


def _is_http(url: str) -> bool:
    try:
        return urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).hostname)
    except ValueError:
        return False


def _load(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None


def _error_code(data: Any) -> str:
    if isinstance(data, Mapping):
        return str(data.get("code") or data.get("error") or "")
    return ""


def _refusal(status: int, data: Any) -> RoutePage | None:
    """The page for an answer that is no listing, or None to go on reading."""
    code = _error_code(data)
    if status in _REFUSED:
        detail = f"HTTP {status}" + (f" {code}" if code else "")
        return RoutePage(status=RouteStatus.UNAVAILABLE, detail=detail)
    if status >= 500 or status in (408, 425, 429):
        return RoutePage(status=RouteStatus.FAILED, detail=f"HTTP {status}")
    if status == 400 and code == "rest_post_invalid_page_number":
        return RoutePage()  # past the last page
    if not 200 <= status < 300:
        return RoutePage(status=RouteStatus.UNAVAILABLE, detail=f"HTTP {status} {code}".strip())
    return None


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def parse_rest_posts(
    status: int, headers: Mapping[str, str], body: bytes, *, url: str, page: int, site_url: str
) -> RoutePage:
    """One page of ``/wp-json/wp/v2/posts``; ``next_url`` from ``X-WP-TotalPages``."""
    data = _load(body)
    refused = _refusal(status, data)
    if refused is not None:
        return refused
    if not isinstance(data, list):
        return RoutePage(status=RouteStatus.UNAVAILABLE, detail="not a WordPress posts listing")
    posts = []
    for item in data:
        if not isinstance(item, Mapping):
            continue
        link = str(item.get("link") or "")
        if not _is_http(link):
            continue
        post_id = item.get("id")
        wp_id = post_id if isinstance(post_id, int) and post_id > 0 else None
        posts.append(
            FoundPost(
                url=link,
                title=_text(item.get("title")),
                published_at=_date(item.get("date_gmt")),
                wp_post_id=wp_id,
                shortlink=shortlink_for(site_url, wp_id) if wp_id is not None else "",
                routes=(WP_REST,),
            )
        )
    try:
        total_pages = int(_header(headers, "x-wp-totalpages") or 0)
    except ValueError:
        total_pages = 0
    more = page < total_pages if total_pages else len(data) >= PER_PAGE
    return RoutePage(tuple(posts), with_page(url, "page", page + 1) if more and posts else "")


def parse_wpcom_posts(status: int, body: bytes, *, url: str, page: int) -> RoutePage:
    """One page of the WordPress.com ``/sites/<site>/posts/`` listing (``found`` = total)."""
    data = _load(body)
    refused = _refusal(status, data)
    if refused is not None:
        return refused
    if not isinstance(data, Mapping) or not isinstance(data.get("posts"), list):
        code = _error_code(data)
        return RoutePage(status=RouteStatus.UNAVAILABLE, detail=code or "not a posts listing")
    posts = []
    for item in data["posts"]:
        if not isinstance(item, Mapping):
            continue
        link = str(item.get("URL") or "")
        if not _is_http(link):
            continue
        post_id = item.get("ID")
        short = str(item.get("short_URL") or "")
        posts.append(
            FoundPost(
                url=link,
                title=_text(item.get("title")),
                published_at=_date(item.get("date")),
                wp_post_id=post_id if isinstance(post_id, int) and post_id > 0 else None,
                shortlink=short if _is_http(short) else "",
                routes=(WPCOM_API,),
            )
        )
    found = data.get("found")
    total = found if isinstance(found, int) else 0
    more = page * PER_PAGE < total if total else len(posts) >= PER_PAGE
    return RoutePage(tuple(posts), with_page(url, "page", page + 1) if more and posts else "")
