"""The organisation's own posts, learned from its own feeds: written on (org, canonical_url),
read by the linkback harvest (which posts to harvest) and by matching (links to our posts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from crawler.domain import Platform, Post
from crawler.matching.urls import PostIndex, canonicalize_url
from crawler.storage.models import PostRow
from crawler.storage.upsert import upsert

_BATCH = 500


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


def post_shortlinks(session: Session, org: str) -> list[tuple[str, str]]:
    """(shortlink, post URL) pairs of the posts whose shortlink is known (the inventory
    stores a ``wp.me`` one only once it has led back to the post)."""
    stmt = (
        select(PostRow.shortlink, PostRow.url)
        .where(PostRow.org == org, PostRow.shortlink != "")
        .order_by(PostRow.id)
    )
    return [(short, url) for short, url in session.execute(stmt)]


def published_targets(
    session: Session, org: str, targets: Iterable[str]
) -> dict[str, tuple[int, str]]:
    """Which of our posts each target (in any spelling) is: ``{target: (post id, URL as
    published)}``; a target that is none of our posts is left out.

    Linkbacks reach us under many spellings of one post (``https`` for an ``http`` site,
    ``www.``, no trailing slash, ``?p=ID``, ``#comment-N``, ``?replytocom=``), but a mention
    must be stored against the URL the post itself publishes, or joins on ``posts.url`` and
    the digest's links to our own posts break (#16). Canonical spellings are matched in one
    query; only what that leaves (shortlinks, ``?p=ID`` or ``wp.me``, comment pages) is
    looked up in a ``PostIndex`` of all the organisation's posts and their shortlinks.
    """
    wanted = {t: canonicalize_url(t) for t in targets if t}
    if not wanted:
        return {}
    by_canonical: dict[str, tuple[int, str]] = {}
    values = sorted(set(wanted.values()))
    for i in range(0, len(values), _BATCH):
        stmt = select(PostRow.canonical_url, PostRow.id, PostRow.url).where(
            PostRow.org == org, PostRow.canonical_url.in_(values[i : i + _BATCH])
        )
        for canonical, post_id, url in session.execute(stmt):
            by_canonical[canonical] = (post_id, url)
    missing = [t for t, c in wanted.items() if c not in by_canonical]
    if missing:
        rows = session.execute(
            select(
                PostRow.canonical_url,
                PostRow.id,
                PostRow.url,
                PostRow.wp_post_id,
                PostRow.shortlink,
            ).where(PostRow.org == org)
        ).all()
        index = PostIndex(
            ((url, wp_id) for _, _, url, wp_id, _ in rows),
            ((short, url) for _, _, url, _, short in rows if short),
        )
        by_index = {canonicalize_url(url): (post_id, url) for _, post_id, url, _, _ in rows}
        for target in missing:
            found = index.lookup(target)
            if found is not None and found in by_index:
                by_canonical[wanted[target]] = by_index[found]
    return {t: by_canonical[c] for t, c in wanted.items() if c in by_canonical}
