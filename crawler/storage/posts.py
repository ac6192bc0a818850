"""The organisation's own posts, learned from its own feeds: written on (org, canonical_url),
read by the linkback harvest (which posts to harvest) and by matching (links to our posts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from crawler.domain import Platform, Post
from crawler.storage.models import PostRow
from crawler.storage.upsert import upsert


def upsert_posts(
    session: Session, posts: Sequence[Post], now: datetime, *, site_url: str = ""
) -> list[int]:
    """Insert or refresh posts; returns their ids. Title, URL, platform and comment count
    follow the feed; comment feed, WordPress id and date are only filled, never erased."""
    rows = {
        (p.org, p.canonical_url): {
            "org": p.org,
            "canonical_url": p.canonical_url,
            "url": p.url,
            "title": p.title,
            "published_at": p.published_at,
            "comment_feed_url": p.comment_feed_url,
            "comment_count": p.comment_count,
            "platform": p.platform.value,
            "site_url": site_url,
            "wp_post_id": p.wp_post_id,
            "created_at": now,
        }
        for p in posts
    }
    table: Table = PostRow.__table__  # type: ignore[assignment]
    return upsert(
        session,
        table,
        list(rows.values()),
        key=["org", "canonical_url"],
        update=["url", "platform"],
        fill=[
            "title",
            "published_at",
            "comment_feed_url",
            "comment_count",
            "site_url",
            "wp_post_id",
        ],
    )


def _post(row: PostRow) -> Post:
    try:
        platform = Platform(row.platform)
    except ValueError:
        platform = Platform.GENERIC
    return Post(
        org=row.org,
        canonical_url=row.canonical_url,
        url=row.url,
        title=row.title,
        published_at=row.published_at,
        comment_feed_url=row.comment_feed_url,
        comment_count=row.comment_count,
        platform=platform,
        wp_post_id=row.wp_post_id,
    )


def list_posts(session: Session, org: str, since: datetime | None = None) -> list[Post]:
    """The organisation's posts, newest first; with ``since``, those published (or, when
    undated, first seen) since then."""
    stmt = select(PostRow).where(PostRow.org == org)
    if since is not None:
        stmt = stmt.where(
            or_(
                PostRow.published_at >= since,
                PostRow.published_at.is_(None) & (PostRow.created_at >= since),
            )
        )
    stmt = stmt.order_by(PostRow.published_at.desc(), PostRow.id.desc())
    return [_post(row) for row in session.scalars(stmt)]


def post_index_entries(session: Session, org: str) -> list[tuple[str, int | None]]:
    """(post URL, WordPress post id) pairs: what ``crawler.matching.urls.PostIndex`` takes."""
    stmt = select(PostRow.url, PostRow.wp_post_id).where(PostRow.org == org).order_by(PostRow.id)
    return [(url, wp_id) for url, wp_id in session.execute(stmt)]
