"""The WordPress feeds: ``/feed/`` (RSS 2.0), ``/feed/atom/``, per-post comment feeds and
``/comments/feed/``, in the shapes WordPress core prints them.

Posts feeds carry ``wfw:commentRss`` and ``slash:comments`` (Atom: ``thr:total``). Comment feeds
have no type field and at most ``posts_per_rss`` (10) items, newest first; per-post items are
titled "By: AUTHOR", site-wide ones "Comment on POST by AUTHOR", and guids are
``<site>/?p=ID#comment-N`` with ``isPermaLink="false"`` — so a harvester must classify and
detect truncation itself.
"""

from __future__ import annotations

from datetime import datetime

from sampleweb.pages import syndication as feeds
from sampleweb.pages import wp_themes as themes
from sampleweb.pages.html import Ctx, paragraphs_html
from sampleweb.pages.messages import Response, xml
from sampleweb.pages.syndication import FeedItem, FeedMeta
from sampleweb.pages.wp_day import comments_of, guid, last_change, permalink, visible_posts
from sampleweb.world.model import DAY1, Post

POSTS_PER_RSS = 10
GENERATOR = "https://wordpress.org/?v=6.8.1"


def _excerpt(post: Post) -> str:
    words = " ".join(post.paragraphs).split()
    return " ".join(words[:55]) + (" [&#8230;]" if len(words) > 55 else "")


def _posts_meta(ctx: Ctx, self_path: str) -> FeedMeta:
    org = ctx.world.org
    return FeedMeta(
        org.blog_name,
        ctx.url(org.host),
        ctx.url(org.host, self_path),
        org.tagline,
        "en-GB",
        GENERATOR,
    )


def posts_rss(ctx: Ctx, page: int = 1) -> Response | None:
    """The posts feed; page ``page`` (``?paged=N``) holds the next 10 older posts, and a page
    past the last is ``None`` (WordPress answers it 404)."""
    start = (max(page, 1) - 1) * POSTS_PER_RSS
    shown = visible_posts(ctx)[start : start + POSTS_PER_RSS]
    if page > 1 and not shown:
        return None
    items = []
    for p in shown:
        link = permalink(p, ctx)
        n = len(comments_of(p, ctx))
        items.append(
            FeedItem(
                title=p.title,
                link=link,
                guid=guid(p, ctx),
                published=p.published,
                author=ctx.world.org.author,
                summary=_excerpt(p),
                content_html=paragraphs_html(p.paragraphs, (), ctx),
                categories=(p.category, *p.tags),
                comments_link=f"{link}#respond",
                extra_xml=f"\t\t<wfw:commentRss>{link}feed/</wfw:commentRss>\n\t\t<slash:comments>{n}</slash:comments>\n",
            )
        )
    body = feeds.rss(_posts_meta(ctx, "/feed/"), items)
    last = _feed_last_modified(ctx) if page <= 1 else max(last_change(p, ctx) for p in shown)
    return xml(body, feeds.CONTENT_TYPES["rss"], last_modified=last)


def _feed_last_modified(ctx: Ctx) -> datetime:
    """Posts feeds change when a post appears or a comment count changes."""
    posts = visible_posts(ctx)[:POSTS_PER_RSS]
    return max([DAY1, *(last_change(p, ctx) for p in posts)]) if posts else DAY1


def posts_atom(ctx: Ctx) -> Response:
    items = []
    for p in visible_posts(ctx)[:POSTS_PER_RSS]:
        link = permalink(p, ctx)
        n = len(comments_of(p, ctx))
        items.append(
            FeedItem(
                title=p.title,
                link=link,
                guid=guid(p, ctx),
                published=p.published,
                author=ctx.world.org.author,
                summary=_excerpt(p),
                content_html=paragraphs_html(p.paragraphs, (), ctx),
                categories=(p.category,),
                extra_xml=(
                    f'\t\t<link rel="replies" type="text/html" href="{link}#comments" '
                    f'thr:count="{n}" />\n'
                    f'\t\t<link rel="replies" type="application/atom+xml" href="{link}feed/atom/" '
                    f'thr:count="{n}" />\n'
                    f"\t\t<thr:total>{n}</thr:total>\n"
                ),
            )
        )
    body = feeds.atom(
        _posts_meta(ctx, "/feed/atom/"),
        items,
        extra_ns=' xmlns:thr="http://purl.org/syndication/thread/1.0"',
    )
    return xml(body, feeds.CONTENT_TYPES["atom"], last_modified=_feed_last_modified(ctx))


def comment_feed_items(ctx: Ctx, post: Post | None) -> list[FeedItem]:
    """The newest ``posts_per_rss`` approved comments (all types) of one post or the site."""
    if post is None:
        visible = {p.wp_id for p in visible_posts(ctx)}
        pool = [c for c in ctx.world.comments if c.day <= ctx.day and c.post_id in visible]
    else:
        pool = comments_of(post, ctx)
    newest = sorted(pool, key=lambda c: (c.date, c.id), reverse=True)[:POSTS_PER_RSS]
    items = []
    for c in newest:
        on = ctx.world.post(c.post_id)
        link = f"{permalink(on, ctx)}#comment-{c.id}"
        title = f"By: {c.author}" if post is not None else f"Comment on {on.title} by {c.author}"
        items.append(
            FeedItem(
                title=title,
                link=link,
                guid=f"{guid(on, ctx)}#comment-{c.id}",
                published=c.date,
                author=c.author,
                summary=themes.content_text(c),
                content_html=themes.content_html(c, ctx),
            )
        )
    return items


def comments_rss(ctx: Ctx, post: Post | None) -> Response:
    org = ctx.world.org
    items = comment_feed_items(ctx, post)
    if post is None:
        meta = FeedMeta(
            f"Comments for {org.blog_name}",
            ctx.url(org.host),
            ctx.url(org.host, "/comments/feed/"),
            org.tagline,
            "en-GB",
            GENERATOR,
        )
    else:
        link = permalink(post, ctx)
        meta = FeedMeta(
            f"Comments on: {post.title}", link, f"{link}feed/", org.tagline, "en-GB", GENERATOR
        )
    last = max([i.published for i in items], default=post.published if post else DAY1)
    return xml(feeds.rss(meta, items), feeds.CONTENT_TYPES["rss"], last_modified=last)


def comments_atom(ctx: Ctx, post: Post) -> Response:
    org = ctx.world.org
    link = permalink(post, ctx)
    items = comment_feed_items(ctx, post)
    thr = f'\t\t<thr:in-reply-to ref="{guid(post, ctx)}" href="{link}" type="text/html" />\n'
    items = [
        FeedItem(
            i.title, i.link, i.guid, i.published, i.author, i.summary, i.content_html, extra_xml=thr
        )
        for i in items
    ]
    meta = FeedMeta(
        f"Comments on: {post.title}", link, f"{link}feed/atom/", org.tagline, "en-GB", GENERATOR
    )
    body = feeds.atom(meta, items, extra_ns=' xmlns:thr="http://purl.org/syndication/thread/1.0"')
    return xml(
        body,
        feeds.CONTENT_TYPES["atom"],
        last_modified=max([i.published for i in items], default=post.published),
    )
