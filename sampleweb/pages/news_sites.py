"""News sites: home pages, article pages, and one discovery route each.

The four routes a press monitor must handle are all here: RSS 2.0 (summaries only at one
site, full text at another), Atom with full content, JSON Feed 1.1, and a site with no feed at
all — only ``/robots.txt`` naming a sitemap and a Google News sitemap. Feeds are computed from
the articles visible on the requested day, so a feed changes exactly when an article appears
and otherwise answers conditional requests with 304.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime, timedelta

from sampleweb.pages import syndication as feeds
from sampleweb.pages.html import Ctx, esc, paragraphs_html
from sampleweb.pages.messages import Request, Response, html, not_found, redirect, text, xml
from sampleweb.pages.news_markup import LAYOUTS, article_page, footer, masthead, page_head
from sampleweb.pages.syndication import FeedItem, FeedMeta
from sampleweb.world import bulk
from sampleweb.world.model import DAY1, Article, NewsSite, day_start

FEED_SIZE = 20


def visible_articles(site: NewsSite, day: int) -> list[Article]:
    return sorted(
        (a for a in site.articles if a.day <= day), key=lambda a: a.published, reverse=True
    )


def feed_entries(site: NewsSite, day: int) -> list[Article]:
    return visible_articles(site, day)[:FEED_SIZE]


def news_sitemap_entries(site: NewsSite, day: int) -> list[Article]:
    """Google News sitemaps list the last two days of articles."""
    since = day_start(day) - timedelta(days=2)
    return [a for a in visible_articles(site, day) if a.published >= since]


def handle(site: NewsSite, index: dict[str, Article], req: Request, ctx: Ctx) -> Response:
    path = req.path
    if path == "/":
        return _home(site, ctx)
    if path == "/robots.txt":
        lines = "User-agent: *\nDisallow: /search\nDisallow: /account/\n"
        if site.feed_format == "sitemap":
            lines += (
                f"\nSitemap: {ctx.url(site.host, '/sitemap.xml')}\n"
                f"Sitemap: {ctx.url(site.host, '/news-sitemap.xml')}\n"
            )
        return text(lines)
    if site.feed_path and path == site.feed_path:
        return feed_response(site, feed_entries(site, ctx.day), ctx, site.feed_path)
    if site.feed_format == "sitemap" and path == "/sitemap.xml":
        arts = visible_articles(site, ctx.day)
        body = feeds.sitemap([(ctx.url(site.host, a.path), a.published) for a in arts])
        return xml(body, feeds.CONTENT_TYPES["sitemap"], last_modified=_newest(arts))
    if site.feed_format == "sitemap" and path == "/news-sitemap.xml":
        arts = news_sitemap_entries(site, ctx.day)
        body = feeds.news_sitemap(
            site.name, site.lang, [(ctx.url(site.host, a.path), a.title, a.published) for a in arts]
        )
        return xml(
            body,
            feeds.CONTENT_TYPES["news-sitemap"],
            last_modified=_newest(visible_articles(site, ctx.day)),
        )
    art = index.get(path)
    if art is None and not path.endswith("/"):
        slashed = index.get(path + "/")
        if slashed is not None and slashed.day <= ctx.day:
            return redirect(ctx.url(site.host, slashed.path))
    if art is None or art.day > ctx.day:
        return not_found(req.target)
    return html(article_page(site, art, ctx), last_modified=art.published)


def _newest(arts: list[Article]) -> datetime:
    return max((a.published for a in arts), default=DAY1)


def feed_item(site: NewsSite, art: Article, ctx: Ctx) -> FeedItem:
    url = ctx.url(site.host, art.path)
    guid = url if site.feed_format != "atom" else f"tag:{site.host},2026:{art.path}"
    return FeedItem(
        title=art.title,
        link=url,
        guid=guid,
        guid_is_permalink=site.feed_format == "rss",
        published=art.published,
        author=art.author,
        summary=art.summary,
        content_html=paragraphs_html(art.paragraphs, art.links, ctx) if site.full_content else "",
        categories=(art.section,),
        language=art.lang,
    )


def feed_response(
    site: NewsSite, arts: list[Article], ctx: Ctx, self_path: str, title: str = ""
) -> Response:
    items = [feed_item(site, a, ctx) for a in arts]
    meta = FeedMeta(
        title or site.name,
        ctx.url(site.host),
        ctx.url(site.host, self_path),
        f"Latest news from {site.name}"
        if site.lang == "en"
        else f"Le ultime notizie da {site.name}",
        site.lang,
        authors=(site.name,),
    )
    last = max((a.published for a in arts), default=DAY1)
    if site.feed_format == "atom":
        return xml(feeds.atom(meta, items), feeds.CONTENT_TYPES["atom"], last_modified=last)
    if site.feed_format == "jsonfeed":
        return xml(feeds.jsonfeed(meta, items), feeds.CONTENT_TYPES["jsonfeed"], last_modified=last)
    return xml(feeds.rss(meta, items), feeds.CONTENT_TYPES["rss"], last_modified=last)


def _home(site: NewsSite, ctx: Ctx) -> Response:
    lay = LAYOUTS.get(site.layout, LAYOUTS["bulk"])
    arts = visible_articles(site, ctx.day)[:30]
    items = "".join(
        f'<article class="teaser"><h2><a href="{esc(a.path)}">{esc(a.title)}</a></h2>'
        f"<p>{esc(a.summary)}</p></article>\n"
        for a in arts
    )
    body = (
        page_head(site, ctx, site.name)
        + f'<body class="home {lay.body_class}">\n'
        + masthead(site, lay, ctx)
        + f'<main id="main" class="front">\n{items}</main>\n'
        + footer(site, lay)
        + "</body>\n</html>\n"
    )
    return html(body, last_modified=max((a.published for a in arts), default=DAY1))


def handle_bulk(bsite: bulk.BulkSite, req: Request, ctx: Ctx) -> Response:
    """A benchmark site: everything computed from the seed and the path."""
    site, s, seed = bsite.site, bsite.index, ctx.world.seed
    count = bulk.article_count(ctx.day)
    path = req.path
    if path == "/":
        arts = [bulk.brief(seed, s, i) for i in range(count - 1, count - 31, -1)]
        return _home(dataclasses.replace(site, articles=tuple(arts)), ctx)
    if path == "/robots.txt":
        return text(
            f"User-agent: *\nDisallow: /search\n\nSitemap: {ctx.url(site.host, '/sitemap.xml')}\n"
        )
    if path == "/sitemap.xml":
        entries = []
        for i in range(count):
            head = bulk.teaser(seed, s, i)
            entries.append((ctx.url(site.host, head.path), head.published))
        return xml(
            feeds.sitemap(entries),
            feeds.CONTENT_TYPES["sitemap"],
            last_modified=max(e[1] for e in entries),
        )
    t = bulk.parse_feed_path(site, path)
    if t is not None:
        members = bulk.feed_members(s, t, ctx.day)
        make = bulk.article if site.full_content else bulk.brief
        title = f"{site.name}: {bulk.feed_tag(t).replace('-', ' ')}"

        def render() -> bytes:
            return feed_response(site, [make(seed, s, i) for i in members], ctx, path, title).body

        # the validators come from what decides the content, so a 304 costs no rendering
        key = f"{seed}|{s}|{t}|{members}|{site.feed_format}|{site.full_content}|{ctx.port}".encode()
        resp = Response(
            200,
            content_type=feeds.CONTENT_TYPES[site.feed_format],
            cacheable=True,
            last_modified=bulk.teaser(seed, s, members[0]).published,
            lazy=render,
        )
        resp.preset_etag(hashlib.blake2b(key, digest_size=10).hexdigest())
        return resp
    index = bulk.parse_article_path(path)
    if index is None or index >= count:
        return not_found(req.target)
    art = bulk.article(seed, s, index)
    if path != art.path:
        return redirect(ctx.url(site.host, art.path))
    return html(article_page(site, art, ctx), last_modified=art.published)
