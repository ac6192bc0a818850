"""Feeds for the truth: every feed and sitemap URL of the world with its format and entries.

Entries are listed as the feed shows them on the truth's day (newest first, as served), so a
test can compare them with a parsed fetch one for one; comment feeds also say how many
comments the post really has and whether the 10-item window truncates them.
"""

from __future__ import annotations

from typing import Any

from sampleweb.pages import blog_pages as blogs
from sampleweb.pages import news_sites as news
from sampleweb.pages import wp_day as wpposts
from sampleweb.pages import wp_feeds as wpfeeds
from sampleweb.pages.html import Ctx
from sampleweb.world import bulk
from sampleweb.world.model import (
    MAX_DAY,
    BlogSite,
    NewsSite,
    World,
)

Json = dict[str, Any]


def _feed(url: str, site: str, fmt: str, kind: str, entries: list[str], **extra: Any) -> Json:
    return {
        "url": url,
        "site": site,
        "format": fmt,
        "kind": kind,
        "entry_count": len(entries),
        "entries": entries,
        **extra,
    }


def feeds_truth(world: World, ctx: Ctx) -> list[Json]:
    org = world.org
    posts = wpposts.visible_posts(ctx)[: wpfeeds.POSTS_PER_RSS]
    post_urls = [ctx.url(org.host, p.path) for p in posts]
    out = [
        _feed(ctx.url(org.host, "/feed/"), org.host, "rss", "posts", post_urls),
        _feed(ctx.url(org.host, "/feed/atom/"), org.host, "atom", "posts", post_urls),
        _feed(
            ctx.url(org.host, "/wp-sitemap-posts-post-1.xml"),
            org.host,
            "sitemap",
            "posts",
            [ctx.url(org.host, p.path) for p in wpposts.visible_posts(ctx)],
        ),
    ]
    site_items = wpfeeds.comment_feed_items(ctx, None)
    total = sum(len(world.comments_on(p.wp_id, ctx.day)) for p in wpposts.visible_posts(ctx))
    out.append(
        _feed(
            ctx.url(org.host, "/comments/feed/"),
            org.host,
            "rss",
            "comments",
            [i.link for i in site_items],
            total_comments=total,
            truncated=total > len(site_items),
        )
    )
    for p in wpposts.visible_posts(ctx):
        items = wpfeeds.comment_feed_items(ctx, p)
        n = len(world.comments_on(p.wp_id, ctx.day))
        link = ctx.url(org.host, p.path)
        out.append(
            _feed(
                link + "feed/",
                org.host,
                "rss",
                "comments",
                [i.link for i in items],
                total_comments=n,
                truncated=n > len(items),
                post=link,
            )
        )
    for b in world.blogs:
        out.append(_blog_feed(b, ctx))
    for nsite in world.news:
        out.extend(_news_feeds(nsite, ctx))
    if world.bulk_sites:
        for bs in bulk.bulk_sites(world.bulk_sites):
            site = bs.site
            for t in range(bulk.FEEDS):
                members = bulk.feed_members(bs.index, t, ctx.day)
                entries = [
                    ctx.url(site.host, bulk.teaser(world.seed, bs.index, i).path) for i in members
                ]
                out.append(
                    _feed(
                        ctx.url(site.host, bulk.feed_path(site, t)),
                        site.host,
                        site.feed_format,
                        "articles",
                        entries,
                        bulk=True,
                        changes_on_days=[
                            d for d in range(2, MAX_DAY + 1) if bulk.touched(bs.index, t, d)
                        ],
                    )
                )
    return out


def _blog_feed(b: BlogSite, ctx: Ctx) -> Json:
    pages = blogs.live_pages(b, ctx.day)[:10]
    return _feed(
        ctx.url(b.host, b.feed_path),
        b.host,
        b.feed_format,
        "posts",
        [ctx.url(b.host, p.path) for p in pages],
    )


def _news_feeds(n: NewsSite, ctx: Ctx) -> list[Json]:
    if n.feed_format == "sitemap":
        arts = news.visible_articles(n, ctx.day)
        recent = news.news_sitemap_entries(n, ctx.day)
        return [
            _feed(
                ctx.url(n.host, "/sitemap.xml"),
                n.host,
                "sitemap",
                "articles",
                [ctx.url(n.host, a.path) for a in arts],
            ),
            _feed(
                ctx.url(n.host, "/news-sitemap.xml"),
                n.host,
                "news-sitemap",
                "articles",
                [ctx.url(n.host, a.path) for a in recent],
            ),
        ]
    arts = news.feed_entries(n, ctx.day)
    return [
        _feed(
            ctx.url(n.host, n.feed_path),
            n.host,
            n.feed_format,
            "articles",
            [ctx.url(n.host, a.path) for a in arts],
            full_content=n.full_content,
        )
    ]
