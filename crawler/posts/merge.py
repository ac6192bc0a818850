"""One post, once: merging what every route said about the same post.

Routes spell a post differently (``http`` in the feed, ``https`` in the API, a missing
trailing slash in the sitemap); they are one post when their canonical forms agree. The
URL kept is the first route's in ``ROUTES`` order (the REST API's ``link`` is what WordPress
publishes); every other field is filled from whichever route knows it. URLs on another site
(a sitemap listing a CDN, an archive linking out) are dropped, as are posts published before
``since``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from crawler.matching.urls import canonicalize_url
from crawler.posts.model import ROUTES, FoundPost
from crawler.posts.pages import same_site

__all__ = ["merge_found"]


def _key(url: str) -> str:
    try:
        return canonicalize_url(url)
    except Exception:  # a hostile URL is no post of ours
        return ""


def _rank(post: FoundPost) -> int:
    return min((ROUTES.index(r) for r in post.routes if r in ROUTES), default=len(ROUTES))


def merge_found(
    found: Iterable[FoundPost], site_url: str, *, since: datetime | None = None
) -> list[FoundPost]:
    """Every post once (see the module docstring), newest first, undated last."""
    merged: dict[str, FoundPost] = {}
    for post in sorted(found, key=_rank):
        key = _key(post.url)
        if not key or not same_site(post.url, site_url) or key == _key(site_url):
            continue
        old = merged.get(key)
        if old is None:
            merged[key] = post
            continue
        merged[key] = replace(
            old,
            title=old.title or post.title,
            published_at=old.published_at or post.published_at,
            wp_post_id=old.wp_post_id if old.wp_post_id is not None else post.wp_post_id,
            shortlink=old.shortlink or post.shortlink,
            canonical_link=old.canonical_link or post.canonical_link,
            canonical_offsite=old.canonical_offsite or post.canonical_offsite,
            routes=tuple(dict.fromkeys((*old.routes, *post.routes))),
        )
    posts = [
        p
        for p in merged.values()
        if since is None or p.published_at is None or p.published_at >= since
    ]
    oldest = datetime.min.replace(tzinfo=UTC)
    posts.sort(key=lambda p: p.published_at or oldest, reverse=True)
    return posts
