"""Writing a post inventory: every post of a site once, and the sync's per-route record.

Posts are keyed on (org, canonical_url), like the ones the feed poll stores, so a post the
feed already knows is the same row: the inventory fills what is missing (title, date,
WordPress id, shortlink, declared canonical) and never changes the URL the feed stored. The
``canonical_offsite`` flag is only set from a post whose page was read this sync.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from crawler.matching.urls import canonicalize_url
from crawler.posts.model import FoundPost, RouteTally
from crawler.storage.models import PostInventoryRow, PostRow
from crawler.storage.upsert import upsert

__all__ = ["inventoried_sites", "known_post_keys", "record_inventory"]

_FILL = ["title", "published_at", "site_url", "wp_post_id", "canonical_link", "shortlink"]


def _row(org: str, site_url: str, platform: str, post: FoundPost, now: datetime) -> dict[str, Any]:
    return {
        "org": org,
        "canonical_url": canonicalize_url(post.url),
        "url": post.url,
        "title": post.title,
        "published_at": post.published_at,
        "comment_feed_url": "",
        "comment_count": None,
        "platform": platform,
        "site_url": site_url,
        "wp_post_id": post.wp_post_id,
        "created_at": now,
        "canonical_link": post.canonical_link,
        "shortlink": post.shortlink,
        "canonical_offsite": post.canonical_offsite,
    }


def record_inventory(
    session: Session,
    org: str,
    site_url: str,
    platform: str,
    posts: Sequence[FoundPost],
    tallies: Sequence[RouteTally],
    now: datetime,
) -> int:
    """Store the site's posts (see the module docstring) and the sync's record; returns how
    many posts were not stored before."""
    table: Table = PostRow.__table__  # type: ignore[assignment]
    rows = {r["canonical_url"]: r for r in (_row(org, site_url, platform, p, now) for p in posts)}
    before = known_post_keys(session, org)
    checked = [r for r in rows.values() if r["canonical_link"]]
    unchecked = [r for r in rows.values() if not r["canonical_link"]]
    upsert(
        session,
        table,
        checked,
        key=["org", "canonical_url"],
        update=["canonical_offsite"],
        fill=_FILL,
    )
    upsert(session, table, unchecked, key=["org", "canonical_url"], fill=_FILL)
    inventories: Table = PostInventoryRow.__table__  # type: ignore[assignment]
    upsert(
        session,
        inventories,
        [
            {
                "org": org,
                "site_url": site_url,
                "synced_at": now,
                "posts": len(rows),
                "routes": [t.as_json() for t in tallies],
            }
        ],
        key=["org", "site_url"],
        update=["synced_at", "posts", "routes"],
    )
    return len(set(rows) - before)


def known_post_keys(session: Session, org: str) -> set[str]:
    """The canonical URLs of the organisation's stored posts."""
    return set(session.scalars(select(PostRow.canonical_url).where(PostRow.org == org)))


def inventoried_sites(session: Session, org: str) -> dict[str, datetime]:
    """The sites whose inventory was taken, and when (a site missing here was never synced)."""
    stmt = select(PostInventoryRow.site_url, PostInventoryRow.synced_at).where(
        PostInventoryRow.org == org
    )
    return dict(session.execute(stmt).all())
