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
WPME_HOST = "wp.test"  # stands for wp.me, WordPress.com's shortlink service
_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
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


def base62(n: int) -> str:
    """``n`` in wp.me's base 62 (digits, then lower case, then upper case)."""
    out = ""
    while True:
        n, digit = divmod(n, 62)
        out = _BASE62[digit] + out
        if n == 0:
            return out


def from_base62(text: str) -> int | None:
    if not text or any(ch not in _BASE62 for ch in text):
        return None
    n = 0
    for ch in text:
        n = n * 62 + _BASE62.index(ch)
    return n


def shortlink(post: Post, ctx: Ctx) -> str:
    """The post's shortlink: ``wp.me/p<code>-<id>`` on WordPress.com, else ``/?p=ID``."""
    code = ctx.world.org.shortlink_code
    if code:
        return ctx.url(WPME_HOST, f"/p{code}-{base62(post.wp_id)}")
    return ctx.url(ctx.world.org.host, f"/?p={post.wp_id}")


def comments_of(post: Post, ctx: Ctx) -> list[WpComment]:
    return ctx.world.comments_on(post.wp_id, ctx.day)


def last_change(post: Post, ctx: Ctx) -> datetime:
    comments = comments_of(post, ctx)
    return max([post.published, *(c.date for c in comments)])


def visible_post(ctx: Ctx, wp_id: int) -> Post | None:
    return next((p for p in ctx.world.posts if p.wp_id == wp_id and p.day <= ctx.day), None)
