"""WordPress comment feeds: the cheap route to new comments and pings, with known blind spots.

WordPress's per-post (``<permalink>feed/``) and site-wide (``/comments/feed/``) comment feeds
do include pingbacks and trackbacks, but an item carries no comment type and no author URL,
and the feed holds at most ``posts_per_rss`` items (10 by default) with no paging. So:

- the post id and comment id come from the guid (``https://site/?p=123#comment-456``) or the
  link's ``#comment-456``;
- the item title is "By: AUTHOR" (per-post) or "Comment on POST by AUTHOR" (site-wide);
- the kind is guessed from the text: an excerpt wrapped in ``[…]`` is how WordPress stores a
  pingback (its source URL is unknown unless the content happens to link it), "Reblogged this
  on" is a WordPress.com reblog, anything else a comment. Guessed kinds carry
  ``inferred=True``;
- a feed with as many items as the cap is flagged ``truncated``: older items may have been
  pushed out, and the caller falls back to the post's HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import feedparser

from crawler.domain import MentionKind
from crawler.linkbacks.comments import unwrap_ping_excerpt
from crawler.linkbacks.markup import attr, normalise_space, parse_fragment, text_of
from crawler.linkbacks.model import ParsedLinkback, Route, normalise_name, normalise_names
from crawler.linkbacks.reblogs import is_reblog_text, parse_reblog_comment
from crawler.linkbacks.urls import defrag, is_http_url, join, split

__all__ = ["DEFAULT_CAP", "CommentFeed", "parse_comment_feed"]

DEFAULT_CAP = 10  # WordPress's posts_per_rss default

_COMMENT_ID = re.compile(r"#comment-(\d{1,18})$")
_PER_POST_TITLE = re.compile(r"^\s*by:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_SITE_TITLE = re.compile(r"^\s*comment on\s+(.*)\s+by\s+(.*)$", re.IGNORECASE | re.DOTALL)
_REBLOG_BLOG = re.compile(
    r"^\s*reblogged this on\s+(.*?)(?:\s+and commented\s*:\s*(.*)|\.?)$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class CommentFeed:
    """The items of one comment feed, and whether the cap may have hidden older ones."""

    items: tuple[ParsedLinkback, ...]
    truncated: bool
    error: str = ""  # why nothing could be read (a broken feed), else ""


def _comment_id(guid: str, link: str) -> int | None:
    for value in (guid, link):
        match = _COMMENT_ID.search(value.strip())
        if match:
            return int(match.group(1))
    return None


def _post_id(guid: str) -> int | None:
    parts = split(defrag(guid))
    values = parse_qs(parts.query).get("p", []) if parts is not None else []
    if values and values[0].isdigit() and len(values[0]) <= 18:
        return int(values[0])
    return None


def _split_title(title: str, creator: str) -> tuple[str, str]:
    """(post title, author) from an item title; either may be ``""``."""
    title = normalise_space(title)
    match = _SITE_TITLE.match(title)
    if match:
        suffix = f" by {creator}" if creator else ""
        if suffix and title.lower().endswith(suffix.lower()):
            head = title[: len(title) - len(suffix)]
            post = re.sub(r"^\s*comment on\s+", "", head, flags=re.IGNORECASE)
            return normalise_space(post), creator
        return normalise_space(match.group(1)), normalise_space(match.group(2))
    match = _PER_POST_TITLE.match(title)
    if match:
        return "", normalise_space(match.group(1))
    return "", ""


def _published(entry: Mapping[str, Any]) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in parsed[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _content_html(entry: Mapping[str, Any]) -> str:
    content = entry.get("content")
    if isinstance(content, list):
        for part in content:
            value = part.get("value") if isinstance(part, Mapping) else None
            if isinstance(value, str) and value.strip():
                return value
    summary = entry.get("summary")
    return summary if isinstance(summary, str) else ""


def _first_outside_link(markup: str, base: str, post_url: str) -> str:
    """The first absolute http(s) link in the content that is not the post itself."""
    fragment = parse_fragment(markup)
    own = defrag(post_url)
    for anchor in fragment.iter("a"):
        href = (attr(anchor, "href") or "").strip()
        if not href or href.startswith("#"):
            continue
        url = join(base, href)
        if is_http_url(url) and defrag(url) != own:
            return url
    return ""


def _text(value: object) -> str:
    """A plain-text field; WordPress leaves entities inside CDATA (``&#8211;``), so decode."""
    return normalise_space(html.unescape(value)) if isinstance(value, str) else ""


def _item(entry: Mapping[str, Any], post_url: str, orgs: frozenset[str]) -> ParsedLinkback | None:
    link = _text(entry.get("link"))
    guid = _text(entry.get("id")) or link
    comment_id = _comment_id(guid, link)
    target = defrag(link) if link else defrag(post_url)
    creator = _text(entry.get("author"))
    post_title, title_author = _split_title(_text(entry.get("title")), creator)
    author = creator or title_author
    content = _content_html(entry)
    summary = entry.get("summary")
    text = text_of(parse_fragment(summary if isinstance(summary, str) else content))
    if not text:
        text = text_of(parse_fragment(content))
    if not (link or guid or text):
        return None
    common: dict[str, Any] = {
        "route": Route.FEED,
        "target_url": target,
        "comment_id": comment_id,
        "post_id": _post_id(guid),
        "post_title": post_title,
        "published": _published(entry),
        "inferred": True,
    }
    excerpt = unwrap_ping_excerpt(text)
    if excerpt is not None:
        return ParsedLinkback(
            kind=MentionKind.PINGBACK,
            source_url=_first_outside_link(content, link or post_url, target),
            title=author,  # WordPress stores a ping's source title as its author
            excerpt=excerpt,
            **common,
        )
    by_org = bool(author) and normalise_name(author) in orgs
    if is_reblog_text(text):
        reblog = parse_reblog_comment(parse_fragment(content), link or post_url)
        words = _REBLOG_BLOG.match(text)
        return ParsedLinkback(
            kind=MentionKind.REBLOG,
            source_url=reblog.url if reblog else "",
            author=author,
            site_name=reblog.blog_name
            if reblog
            else normalise_space(words.group(1) if words else ""),
            note=reblog.note
            if reblog
            else normalise_space((words.group(2) or "") if words else ""),
            by_organisation=by_org,
            **common,
        )
    permalink = link or (f"{target}#comment-{comment_id}" if comment_id is not None else target)
    return ParsedLinkback(
        kind=MentionKind.COMMENT,
        source_url=permalink,
        author=author,
        excerpt=text,
        by_organisation=by_org,
        **common,
    )


def parse_comment_feed(
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    post_url: str = "",
    cap: int = DEFAULT_CAP,
    org_authors: Iterable[str] = (),
) -> CommentFeed:
    """Read a WordPress comment feed (RSS or Atom) into linkback records.

    ``headers`` are the HTTP response headers (for the charset and base URL); ``post_url`` is
    the post of a per-post feed (used when an item has no link); ``cap`` is the site's
    ``posts_per_rss`` (``truncated`` is set when the feed is full).
    """
    if not body.strip():
        return CommentFeed(items=(), truncated=False, error="empty body")
    response_headers = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    try:
        parsed = feedparser.parse(body, response_headers=response_headers)
    except Exception as exc:  # feedparser is robust, but a feed from outside must never crash
        return CommentFeed(items=(), truncated=False, error=f"unreadable feed: {exc}")
    entries = list(parsed.get("entries") or [])
    if not entries and parsed.get("bozo"):
        reason = parsed.get("bozo_exception")
        return CommentFeed(items=(), truncated=False, error=f"unreadable feed: {reason}")
    orgs = normalise_names(org_authors)
    items = []
    for entry in entries:
        if isinstance(entry, Mapping):
            item = _item(entry, post_url, orgs)
            if item is not None:
                items.append(item)
    return CommentFeed(items=tuple(items), truncated=cap > 0 and len(entries) >= cap)
