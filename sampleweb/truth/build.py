"""The ground truth: what a perfect mediamon run over the sample web would report.

Derived from the world model, never from rendered pages, and mentions are *computed*: the
organisation's queries are evaluated (``querylang``) over each document's main text (title and
body) — not over navigation, sidebars, "Related stories", "Most read", partner boxes or reader
comments. Decoys are the documents where the organisation's name appears only in those
regions, or where the main text holds a look-alike (the acronym inside a longer word, the same
letters as an ordinary lower-case word, another body with the same initials).

Shape: every list item carries the ``day`` it first appears and ``removed_on_day`` (or null).
State-like values (``comment_count``, feed entries) describe the world on ``truth["day"]``; the
lists include items of later days so a test can advance the day and check again.
"""

from __future__ import annotations

from typing import Any

from sampleweb.pages import trouble as misbehaving
from sampleweb.pages.hosts import WPCOM_API_HOST, world_hosts
from sampleweb.pages.html import Ctx
from sampleweb.pages.wp_day import WPME_HOST, shortlink
from sampleweb.truth.expected_mentions import mentions_and_decoys
from sampleweb.truth.feed_list import feeds_truth
from sampleweb.world import bulk
from sampleweb.world.model import (
    MAX_DAY,
    BlogPage,
    World,
    WpComment,
    clamp_day,
)
from sampleweb.world.org_posts import QUERIES

Json = dict[str, Any]


def build_truth(world: World, port: int, day: int = 1) -> Json:
    ctx = Ctx(world, clamp_day(day), port)
    org = world.org
    truth: Json = {
        "seed": world.seed,
        "scale": world.scale,
        "day": ctx.day,
        "max_day": MAX_DAY,
        "port": port,
        "organisation": {
            "name": org.name,
            "aliases": list(org.aliases),
            "acronym": org.acronym,
            "timezone": org.timezone,
            "site": ctx.url(org.host),
            "feed": ctx.url(org.host, "/feed/"),
            "platform": "wordpress",
            "wpcom_site_id": org.wpcom_site_id,
            "wpcom_api_base": ctx.url(WPCOM_API_HOST).rstrip("/"),
            "author": org.author,
            "secretary_general": org.secretary_general,
        },
        "queries": [{"name": n, "query": q} for n, q in QUERIES],
        "hosts": world_hosts(world),
        "sites": _sites(world, ctx),
        "posts": _posts(world, ctx),
        "linkbacks": _linkbacks(world, ctx),
        "mentions": [],
        "decoys": [],
        "stories": [
            {
                "key": s.key,
                "original": ctx.url(*s.original),
                "pickups": [ctx.url(h, p) for h, p in s.pickups],
            }
            for s in world.stories
        ],
        "feeds": feeds_truth(world, ctx),
        "endpoints": {
            name: ctx.url(misbehaving.HOST, path) for name, path in misbehaving.ENDPOINTS.items()
        },
        "moved_feed_target": ctx.url(misbehaving.HOST, misbehaving.MOVED_TARGET),
    }
    mentions_and_decoys(world, ctx, truth)
    if world.wpcom_blog is not None:
        _add_wpcom_blog(world.wpcom_blog, Ctx(world.wpcom_blog, ctx.day, port), truth)
    if world.bulk_sites:
        truth["bulk"] = {
            "sites": world.bulk_sites,
            "articles": world.bulk_sites * bulk.article_count(ctx.day),
            "feeds": world.bulk_sites * bulk.FEEDS,
            "feeds_changed_per_day": world.bulk_sites * bulk.FEEDS // 10,
            "note": "each day from 2 to max_day, exactly 10% of the bulk feeds gain one item; "
            "the rest stay byte-identical",
        }
    return truth


def _add_wpcom_blog(hosted: World, ctx: Ctx, truth: Json) -> None:
    """The organisation's blog on WordPress.com: its posts and linkbacks join the lists (a
    run watching both blogs finds both), the blog itself is described apart."""
    org = hosted.org
    truth["wpcom_blog"] = {
        "name": org.blog_name,
        "site": ctx.url(org.host),
        "feed": ctx.url(org.host, "/feed/"),
        "platform": "wordpress.com",
        "wpcom_site_id": org.wpcom_site_id,
        "shortlink_host": WPME_HOST,
    }
    truth["sites"].append(
        {
            "host": org.host,
            "name": org.blog_name,
            "kind": "own",
            "platform": "wordpress.com",
            "url": ctx.url(org.host),
            "feed": ctx.url(org.host, "/feed/"),
            "format": "rss",
        }
    )
    for b in hosted.blogs:
        truth["sites"].append(
            {"host": b.host, "name": b.name, "kind": "blog", "platform": b.engine,
             "url": ctx.url(b.host), "feed": ctx.url(b.host, b.feed_path),
             "format": b.feed_format, "lang": "en"}
        )  # fmt: skip
    truth["posts"] += _posts(hosted, ctx)
    truth["linkbacks"] += _linkbacks(hosted, ctx)


def _sites(world: World, ctx: Ctx) -> list[Json]:
    org = world.org
    out: list[Json] = [
        {
            "host": org.host,
            "name": org.blog_name,
            "kind": "own",
            "platform": "wordpress",
            "url": ctx.url(org.host),
            "feed": ctx.url(org.host, "/feed/"),
            "format": "rss",
        },
        {
            "host": org.www_host,
            "name": org.blog_name,
            "kind": "redirect",
            "url": ctx.url(org.www_host),
        },
        {
            "host": WPCOM_API_HOST,
            "name": "WordPress.com public API",
            "kind": "api",
            "url": ctx.url(WPCOM_API_HOST),
        },
        {
            "host": misbehaving.HOST,
            "name": "Trouble Times",
            "kind": "trouble",
            "url": ctx.url(misbehaving.HOST),
        },
    ]
    for b in world.blogs:
        out.append(
            {
                "host": b.host,
                "name": b.name,
                "kind": "blog",
                "platform": b.engine,
                "url": ctx.url(b.host),
                "feed": ctx.url(b.host, b.feed_path),
                "format": b.feed_format,
                "lang": "en",
            }
        )
    for n in world.news:
        feed = ctx.url(n.host, n.feed_path) if n.feed_path else None
        out.append(
            {
                "host": n.host,
                "name": n.name,
                "kind": "press",
                "url": ctx.url(n.host),
                "feed": feed,
                "format": n.feed_format,
                "full_content": n.full_content,
                "lang": n.lang,
                "weight": n.weight,
                "sitemaps": [ctx.url(n.host, "/sitemap.xml"), ctx.url(n.host, "/news-sitemap.xml")]
                if n.feed_format == "sitemap"
                else [],
            }
        )
    for bs in bulk.bulk_sites(world.bulk_sites) if world.bulk_sites else ():
        out.append(
            {
                "host": bs.site.host,
                "name": bs.site.name,
                "kind": "press",
                "bulk": True,
                "url": ctx.url(bs.site.host),
                "format": bs.site.feed_format,
                "full_content": bs.site.full_content,
                "lang": "en",
            }
        )
    return out


def _posts(world: World, ctx: Ctx) -> list[Json]:
    out = []
    for p in world.posts:
        url = ctx.url(world.org.host, p.path)
        out.append(
            {
                "url": url,
                "title": p.title,
                "published": p.published.isoformat(),
                "day": p.day,
                "wp_post_id": p.wp_id,
                "guid": ctx.url(world.org.host, f"/?p={p.wp_id}"),
                "shortlink": shortlink(p, ctx),
                "comment_feed": url + "feed/",
                "comment_count": len(world.comments_on(p.wp_id, ctx.day))
                if p.day <= ctx.day
                else 0,
                "theme": p.theme.value,
            }
        )
    return out


def _comment_entry(c: WpComment, world: World, ctx: Ctx) -> Json:
    post = world.post(c.post_id)
    target = ctx.url(world.org.host, post.path)
    source = ctx.href(c.source) if c.source else f"{target}#comment-{c.id}"
    return {
        "source": source,
        "kind": c.kind,
        "target": target,
        "post_id": c.post_id,
        "author": c.author,
        "author_url": ctx.href(c.author_url) if c.author_url else None,
        "title": c.title or None,
        "note": c.note if c.kind == "reblog" else None,
        "excerpt": c.excerpt or None,
        "blog_name": c.blog_name or None,
        "by_organisation": c.by_organisation,
        "day": c.day,
        "removed_on_day": None,
        "markup": post.theme.value,
        "comment_ids": [c.id],
        "parent": c.parent or None,
        "also": [],
        "href": None,
    }


def _linkbacks(world: World, ctx: Ctx) -> list[Json]:
    pages: dict[str, BlogPage] = {ctx.url(p.host, p.path): p for b in world.blogs for p in b.pages}
    out: list[Json] = []
    by_key: dict[tuple[str, int], Json] = {}
    for c in sorted(world.comments, key=lambda c: c.id):
        entry = _comment_entry(c, world, ctx)
        if c.source is None:
            out.append(entry)
            continue
        key = (entry["source"], c.post_id)
        page = pages.get(entry["source"])
        if page is not None:
            entry["removed_on_day"] = page.gone_on_day or page.link_removed_on_day
            if page.reblog is not None:
                entry["reblogger_markup"] = "wpcom-reblog-snapshot"
        if key in by_key:  # a reblog that also sent a pingback: one coverage item
            first = by_key[key]
            first["comment_ids"].append(c.id)
            first["also"].append(c.kind)
            continue
        by_key[key] = entry
        out.append(entry)
    notified = set(by_key)
    docs: list[tuple[str, int, int | None, tuple[Any, ...], str, str]] = []
    for b in world.blogs:
        for p in b.pages:
            docs.append(
                (
                    ctx.url(p.host, p.path),
                    p.day,
                    p.gone_on_day or p.link_removed_on_day,
                    p.links,
                    p.title,
                    b.name,
                )
            )
    for n in world.news:
        for a in n.articles:
            docs.append((ctx.url(a.host, a.path), a.day, None, a.links, a.title, n.name))
    for url, day, removed, links, title, site_name in docs:
        for link in links:
            if link.post_id is None or (url, link.post_id) in notified:
                if link.post_id is not None:
                    by_key[(url, link.post_id)]["href"] = ctx.href(link.href)
                continue
            post = world.post(link.post_id)
            out.append(
                {
                    "source": url,
                    "kind": "link",
                    "target": ctx.url(world.org.host, post.path),
                    "post_id": post.wp_id,
                    "author": site_name,
                    "author_url": None,
                    "title": title,
                    "note": None,
                    "excerpt": link.anchor,
                    "blog_name": site_name,
                    "by_organisation": False,
                    "day": day,
                    "removed_on_day": removed,
                    "markup": None,
                    "comment_ids": [],
                    "parent": None,
                    "also": [],
                    "href": ctx.href(link.href),
                    "variant": link.variant,
                }
            )
    for entry in out:
        entry.setdefault("variant", "canonical" if entry["href"] else None)
    return out
