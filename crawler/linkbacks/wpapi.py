"""WordPress JSON APIs as a linkback route: the WordPress.com replies API, and core REST's refusal.

The WordPress.com public API (also served for Jetpack sites) lists a post's pings to anonymous
clients with their type: ``/rest/v1.1/sites/<site>/posts/<id>/replies/?type=pings``, at most
100 per page, paged with ``page``, the total in ``found``. That makes it the most exact route
where it exists, so the URL building (never asking for more than 100, which the API answers
with 400 ``invalid_number``) and the paging decision live here with the parser.

Self-hosted core REST (``/wp-json/wp/v2/comments``) is the opposite: anonymous clients may
only see ``type=comment``; asking for pingbacks answers 401/403 ``rest_forbidden_param``. That
answer means "this route is closed", never "there are no pingbacks", so it is raised as
``RouteUnavailable`` and the caller falls back to the feed, the HTML or the WP.com API.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from crawler.domain import MentionKind
from crawler.linkbacks.comments import unwrap_ping_excerpt
from crawler.linkbacks.markup import normalise_space, parse_datetime, parse_fragment, text_of
from crawler.linkbacks.model import (
    ParsedLinkback,
    Route,
    RouteUnavailable,
    normalise_name,
    normalise_names,
)
from crawler.linkbacks.reblogs import parse_reblog_comment
from crawler.linkbacks.urls import defrag

__all__ = [
    "MAX_PER_PAGE",
    "WPCOM_API",
    "RepliesPage",
    "core_comments_url",
    "has_more_pages",
    "parse_core_comments",
    "parse_replies",
    "replies_url",
]

WPCOM_API = "https://public-api.wordpress.com/rest/v1.1"
MAX_PER_PAGE = 100
REPLY_TYPES = frozenset({"any", "comment", "pingback", "trackback", "pings"})
_HIDDEN_STATUSES = frozenset({"spam", "trash", "unapproved", "hold"})


@dataclass(frozen=True, slots=True)
class RepliesPage:
    """One page of the WP.com replies API."""

    items: tuple[ParsedLinkback, ...]
    found: int  # the total the API reports
    page: int
    number: int

    @property
    def more(self) -> bool:
        return has_more_pages(self.found, self.page, self.number)

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.more else None


def replies_url(
    site: str | int,
    post_id: int,
    *,
    page: int = 1,
    number: int = MAX_PER_PAGE,
    reply_type: str = "pings",
    api: str = WPCOM_API,
) -> str:
    """The replies URL for one page; ``site`` is a domain or a numeric blog id.

    Raises ``ValueError`` for a request the API would refuse (``number`` above 100, ...).
    """
    if not 1 <= number <= MAX_PER_PAGE:
        raise ValueError(f"number must be 1..{MAX_PER_PAGE}, got {number}")
    if page < 1:
        raise ValueError(f"page must be >= 1, got {page}")
    if post_id < 1:
        raise ValueError(f"post id must be positive, got {post_id}")
    if reply_type not in REPLY_TYPES:
        raise ValueError(f"unknown reply type {reply_type!r}")
    site_part = quote(str(site).strip().strip("/"), safe="")
    if not site_part:
        raise ValueError("empty site")
    query = urlencode({"type": reply_type, "number": number, "page": page})
    return f"{api.rstrip('/')}/sites/{site_part}/posts/{post_id}/replies/?{query}"


def has_more_pages(found: int, page: int, number: int) -> bool:
    """Whether pages after ``page`` hold more of the ``found`` items."""
    return number > 0 and page * number < found


def _load(body: bytes | str, route: Route, status: int) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RouteUnavailable(route, f"not JSON: {exc}", status=status) from exc


def _error(data: Any, route: Route, status: int) -> RouteUnavailable | None:
    if isinstance(data, Mapping) and ("error" in data or "code" in data) and "comments" not in data:
        code = str(data.get("error") or data.get("code") or "")
        message = str(data.get("message") or code or "error")
        return RouteUnavailable(route, message, code=code, status=status)
    if not 200 <= status < 300:
        return RouteUnavailable(route, f"HTTP {status}", status=status)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _name(value: Any) -> str:
    """A display name or title; the APIs return them HTML-encoded (``&#8211;``)."""
    return normalise_space(html.unescape(_str(value)))


def _record(
    *,
    route: Route,
    type_name: str,
    comment_id: int | None,
    post_id: int | None,
    post_url: str,
    post_title: str,
    author: str,
    author_url: str,
    permalink: str,
    content: str,
    published: datetime | None,
    orgs: frozenset[str],
) -> ParsedLinkback | None:
    target = defrag(post_url)
    fragment = parse_fragment(content)
    text = text_of(fragment)
    common: dict[str, Any] = {
        "route": route,
        "target_url": target,
        "comment_id": comment_id,
        "post_id": post_id,
        "post_title": post_title,
        "published": published,
    }
    if type_name in ("pingback", "trackback"):
        source = author_url or permalink
        if not source:
            return None
        excerpt = unwrap_ping_excerpt(text)
        return ParsedLinkback(
            kind=MentionKind(type_name),
            source_url=source,
            title=author,
            excerpt=excerpt if excerpt is not None else text,
            **common,
        )
    by_org = bool(author) and normalise_name(author) in orgs
    if type_name == "webmention":
        return ParsedLinkback(
            kind=MentionKind.WEBMENTION,
            source_url=author_url or permalink,
            author=author,
            author_url=author_url,
            excerpt=text,
            by_organisation=by_org,
            **common,
        )
    reblog = parse_reblog_comment(fragment, target)
    if reblog is not None:
        return ParsedLinkback(
            kind=MentionKind.REBLOG,
            source_url=reblog.url,
            author=author,
            author_url=author_url,
            site_name=reblog.blog_name,
            note=reblog.note,
            by_organisation=by_org,
            **common,
        )
    if not permalink:
        permalink = f"{target}#comment-{comment_id}" if comment_id is not None else target
    return ParsedLinkback(
        kind=MentionKind.COMMENT,
        source_url=permalink,
        author=author,
        author_url=author_url,
        excerpt=text,
        by_organisation=by_org,
        **common,
    )


def parse_replies(
    body: bytes | str,
    *,
    status: int = 200,
    page: int = 1,
    number: int = MAX_PER_PAGE,
    org_authors: Iterable[str] = (),
) -> RepliesPage:
    """One page of ``/sites/<site>/posts/<id>/replies/`` into linkback records.

    Pings take their source from ``author.URL`` (WordPress stores the linking page there),
    else from the item's ``URL``. An error answer (``unknown_blog``, ``invalid_number``,
    ``unauthorized``, a non-2xx status, a body that is not JSON) raises ``RouteUnavailable``.
    """
    data = _load(body, Route.WPCOM_API, status)
    problem = _error(data, Route.WPCOM_API, status)
    if problem is not None:
        raise problem
    if not isinstance(data, Mapping) or not isinstance(data.get("comments"), list):
        raise RouteUnavailable(Route.WPCOM_API, "no comments list in the answer", status=status)
    orgs = normalise_names(org_authors)
    items = []
    for raw in data["comments"]:
        if not isinstance(raw, Mapping) or _str(raw.get("status")) in _HIDDEN_STATUSES:
            continue
        post = _mapping(raw.get("post"))
        author = _mapping(raw.get("author"))
        record = _record(
            route=Route.WPCOM_API,
            type_name=_str(raw.get("type")).lower() or "comment",
            comment_id=_int(raw.get("ID")),
            post_id=_int(post.get("ID")),
            post_url=_str(post.get("link")),
            post_title=_name(post.get("title")),
            author=_name(author.get("name")),
            author_url=_str(author.get("URL")),
            permalink=_str(raw.get("URL")),
            content=_str(raw.get("content")),
            published=parse_datetime(_str(raw.get("date"))),
            orgs=orgs,
        )
        if record is not None:
            items.append(record)
    found = _int(data.get("found"))
    return RepliesPage(
        items=tuple(items),
        found=found if found is not None else len(items),
        page=page,
        number=number,
    )


def core_comments_url(
    site_url: str, post_id: int, *, comment_type: str = "comment", per_page: int = 100
) -> str:
    """The core REST comments URL for one post (``per_page`` is capped at 100 by WordPress)."""
    query = urlencode(
        {"post": post_id, "type": comment_type, "per_page": min(max(per_page, 1), 100)}
    )
    return f"{site_url.rstrip('/')}/wp-json/wp/v2/comments?{query}"


def _gmt(raw: Mapping[str, Any]) -> datetime | None:
    value = parse_datetime(_str(raw.get("date_gmt")))
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value or parse_datetime(_str(raw.get("date")))


def parse_core_comments(
    status: int,
    body: bytes | str,
    *,
    post_url: str = "",
    org_authors: Iterable[str] = (),
) -> list[ParsedLinkback]:
    """A core ``/wp-json/wp/v2/comments`` answer into records.

    401/403 (``rest_forbidden_param``: anonymous clients may not ask for pings), 404
    (``rest_no_route``: REST switched off) and any other error raise ``RouteUnavailable``,
    so a closed route is never mistaken for a post without pingbacks.
    """
    data = _load(body, Route.WP_REST, status)
    problem = _error(data, Route.WP_REST, status)
    if problem is not None:
        raise problem
    if not isinstance(data, list):
        raise RouteUnavailable(Route.WP_REST, "expected a list of comments", status=status)
    orgs = normalise_names(org_authors)
    items = []
    for raw in data:
        if not isinstance(raw, Mapping) or _str(raw.get("status")) in _HIDDEN_STATUSES:
            continue
        content = raw.get("content")
        rendered = _str(content.get("rendered")) if isinstance(content, Mapping) else ""
        link = _str(raw.get("link"))
        record = _record(
            route=Route.WP_REST,
            type_name=_str(raw.get("type")).lower() or "comment",
            comment_id=_int(raw.get("id")),
            post_id=_int(raw.get("post")),
            post_url=defrag(link) if link else post_url,
            post_title="",
            author=_name(raw.get("author_name")),
            author_url=_str(raw.get("author_url")),
            permalink=link,
            content=rendered,
            published=_gmt(raw),
            orgs=orgs,
        )
        if record is not None:
            items.append(record)
    return items
