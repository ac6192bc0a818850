"""What the organisation's blog shows on a given day: its published posts and their comments.

Shared by the page, feed and API modules so they always agree on which posts exist on the
requested day, what their URLs and guids are, and which comments are approved.
"""

from __future__ import annotations

import re
from datetime import datetime

from sampleweb.pages.html import Ctx
from sampleweb.world.model import Post, WpComment

POSTS_PER_RSS = 10
GENERATOR = "https://wordpress.org/?v=6.8.1"
_PERMALINK = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)(/.*)?$")


def visible_posts(ctx: Ctx) -> list[Post]:
    """Published posts on this day, newest first."""
    return sorted(
        (p for p in ctx.world.posts if p.day <= ctx.day), key=lambda p: p.published, reverse=True
    )


def permalink(post: Post, ctx: Ctx) -> str:
    return ctx.url(ctx.world.org.host, post.path)


def guid(post: Post, ctx: Ctx) -> str:
    return ctx.url(ctx.world.org.host, f"/?p={post.wp_id}")


def comments_of(post: Post, ctx: Ctx) -> list[WpComment]:
    return ctx.world.comments_on(post.wp_id, ctx.day)


def last_change(post: Post, ctx: Ctx) -> datetime:
    comments = comments_of(post, ctx)
    return max([post.published, *(c.date for c in comments)])


def visible_post(ctx: Ctx, wp_id: int) -> Post | None:
    return next((p for p in ctx.world.posts if p.wp_id == wp_id and p.day <= ctx.day), None)
