# ruff: noqa: E501  (markup is kept on whole lines, as in the themes and pages it imitates)
"""Third-party blogs that write about, link to, reblog or ping the organisation's posts.

Four engines, because linkback verification depends on markup: self-hosted WordPress (with
``hentry`` classes, and real h-entry microformats on some sites), WordPress.com (reblog posts
wrapped in ``div.wpcom-reblog-snapshot`` with ``div.reblogger-note``, ``div.reblogged-content``
and ``p.reblog-source a[href=ORIGINAL]``), a Hugo static site, and an IndieWeb site that sends
webmentions. Time matters here: one page answers 410 Gone from day 2, another stays 200 but
loses its link — the two ways a linkback disappears.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sampleweb.pages import syndication as feeds
from sampleweb.pages.html import Ctx, esc, paragraphs_html, wp_date
from sampleweb.pages.messages import Request, Response, html, not_found, redirect, text, xml
from sampleweb.pages.syndication import FeedItem, FeedMeta
from sampleweb.world.model import DAY1, BlogPage, BlogSite, blog_html_title, day_start


def page_state(page: BlogPage, day: int) -> str:
    """``absent`` (not yet written), ``gone`` (410), ``unlinked`` (link removed) or ``live``."""
    if page.day > day:
        return "absent"
    if page.gone_on_day is not None and day >= page.gone_on_day:
        return "gone"
    if page.link_removed_on_day is not None and day >= page.link_removed_on_day:
        return "unlinked"
    return "live"


def page_modified(page: BlogPage, day: int) -> datetime:
    if page.link_removed_on_day is not None and day >= page.link_removed_on_day:
        return day_start(page.link_removed_on_day) + timedelta(hours=8, minutes=12)
    return page.published


def live_pages(site: BlogSite, day: int) -> list[BlogPage]:
    pages = [p for p in site.pages if page_state(p, day) in ("live", "unlinked")]
    return sorted(pages, key=lambda p: p.published, reverse=True)


def handle(site: BlogSite, req: Request, ctx: Ctx) -> Response:
    path = req.path
    if path == "/":
        return _home(site, ctx)
    if path == site.feed_path:
        return _feed(site, ctx)
    if path == "/robots.txt":
        return text("User-agent: *\nAllow: /\n")
    for page in site.pages:
        if path == page.path or (page.path.endswith("/") and path == page.path[:-1]):
            state = page_state(page, ctx.day)
            if state == "absent":
                break
            if state == "gone":
                return Response(
                    410,
                    b"<!doctype html><title>Gone</title><h1>410 Gone</h1>"
                    b"<p>This post has been removed by its author.</p>",
                )
            if path != page.path:
                return redirect(ctx.url(site.host, page.path))
            return _page(site, page, ctx)
    return not_found(req.target)


def body_html(site: BlogSite, page: BlogPage, ctx: Ctx) -> str:
    """The post content as the blog renders it (also used in its feed)."""
    if page.reblog is not None:
        return _reblog_snapshot(page, ctx)
    links = () if page_state(page, ctx.day) == "unlinked" else page.links
    return paragraphs_html(page.paragraphs, links, ctx)


def _reblog_snapshot(page: BlogPage, ctx: Ctx) -> str:
    assert page.reblog is not None
    org = ctx.world.org
    original = ctx.world.post(page.reblog.post_id)
    link = esc(ctx.url(org.host, original.path))
    note = (
        '<div class="reblogger-note"><div class="reblogger-note-content">'
        f"<blockquote><p>{esc(page.reblog.note)}</p></blockquote></div></div>\n"
        if page.reblog.note
        else ""
    )
    return (
        '<div class="wpcom-reblog-snapshot">\n' + note + '<div class="reblog-post">\n'
        f'<p class="reblog-from"><img alt="" src="/wp-content/blavatar.png" class="avatar" width="25" height="25"> '
        f'<a href="{esc(ctx.url(org.host))}">{esc(org.blog_name)}</a></p>\n'
        f'<div class="reblogged-content">\n<p>{esc(page.reblog.excerpt)}</p>\n</div>\n</div>\n'
        f'<p class="reblog-source"><a href="{link}">Source</a>: <a href="{link}">{esc(original.title)}</a></p>\n'
        "</div>\n"
    )


def _shell(
    site: BlogSite, title: str, ctx: Ctx, head_extra: str, body: str, body_class: str
) -> str:
    base = ctx.url(site.host)
    feed_type = "application/atom+xml" if site.feed_format == "atom" else "application/rss+xml"
    generator = {
        "wordpress": '<meta name="generator" content="WordPress 6.7.2" />\n',
        "wordpress.com": '<meta name="generator" content="WordPress.com" />\n',
        "hugo": '<meta name="generator" content="Hugo 0.139.3">\n',
        "indieweb": "",
    }[site.engine]
    author_card = (
        f'<div class="h-card p-author"><a class="u-url p-name" href="{base}" rel="me">{esc(site.owner)}</a></div>'
        if site.hentry
        else f'<p class="site-author">{esc(site.owner)}</p>'
    )
    return (
        f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{esc(title)}</title>\n{generator}'
        f'<link rel="alternate" type="{feed_type}" title="{esc(site.name)}" href="{base.rstrip("/")}{site.feed_path}">\n'
        f'{head_extra}</head>\n<body class="{body_class}">\n'
        f'<header class="site-header"><p class="site-title"><a href="{base}">{esc(site.name)}</a></p>'
        f'<p class="site-description">{esc(site.tagline)}</p>{author_card}</header>\n'
        f'<nav class="site-nav"><a href="{base}">Home</a> <a href="{base}about/">About</a> '
        f'<a href="{base.rstrip("/")}{site.feed_path}">Subscribe</a></nav>\n'
        f"{body}"
        f'<footer class="site-footer"><p>&copy; 2026 {esc(site.owner)}. Words are my own.</p></footer>\n'
        "</body>\n</html>\n"
    )


def _page(site: BlogSite, page: BlogPage, ctx: Ctx) -> Response:
    url = ctx.url(site.host, page.path)
    content = body_html(site, page, ctx)
    when = page.published
    if site.hentry:
        article = (
            f'<main id="content"><article class="h-entry post hentry">\n'
            f'<h1 class="p-name entry-title">{esc(page.title)}</h1>\n'
            f'<p class="byline">By <a class="p-author h-card" href="{ctx.url(site.host)}">{esc(page.author)}</a> on '
            f'<a class="u-url" href="{esc(url)}"><time class="dt-published published" datetime="{when.isoformat()}">{wp_date(when)}</time></a></p>\n'
            f'<div class="e-content entry-content">\n{content}\n</div>\n'
            f'<p class="tags">Filed under: {", ".join(f"<a class=p-category href=/tag/{t}/>{t}</a>" for t in page.tags)}</p>\n'
            "</article></main>\n"
        )
    else:
        article = (
            f'<main id="content"><article class="post type-post hentry">\n'
            f'<header class="entry-header"><h1 class="entry-title">{esc(page.title)}</h1>\n'
            f'<div class="entry-meta"><span class="posted-on"><time class="entry-date" datetime="{when.isoformat()}">{wp_date(when)}</time></span> '
            f'<span class="byline">by {esc(page.author)}</span></div></header>\n'
            f'<div class="entry-content">\n{content}\n</div>\n</article></main>\n'
        )
    sidebar = (
        '<aside class="sidebar"><section class="widget"><h2>About this blog</h2>'
        f"<p>{esc(site.tagline)}. Written by {esc(site.owner)}.</p></section>"
        '<section class="widget"><h2>Archives</h2><ul><li>November 2026</li><li>October 2026</li></ul></section></aside>\n'
    )
    body_class = "single wpcom-reblog" if page.reblog is not None else "single"
    head_extra = f'<link rel="canonical" href="{esc(url)}">\n'
    out = _shell(site, blog_html_title(site, page), ctx, head_extra, article + sidebar, body_class)
    return html(out, last_modified=page_modified(page, ctx.day))


def _home(site: BlogSite, ctx: Ctx) -> Response:
    pages = live_pages(site, ctx.day)
    items = "".join(
        f'<article class="post{" h-entry" if site.hentry else ""}"><h2 class="entry-title{" p-name" if site.hentry else ""}">'
        f'<a href="{esc(ctx.url(site.host, p.path))}"{" class=u-url" if site.hentry else ""}>{esc(p.title)}</a></h2>'
        f"<p>{esc(p.summary)}</p></article>\n"
        for p in pages
    )
    feed_class = "h-feed" if site.hentry else "blog"
    body = f'<main id="content" class="{feed_class}">\n{items}</main>\n'
    last = max((page_modified(p, ctx.day) for p in pages), default=DAY1)
    return html(_shell(site, site.name, ctx, "", body, "home"), last_modified=last)


def _feed(site: BlogSite, ctx: Ctx) -> Response:
    pages = live_pages(site, ctx.day)[:10]
    items = [
        FeedItem(
            title=p.title,
            link=ctx.url(site.host, p.path),
            guid=ctx.url(site.host, p.path),
            guid_is_permalink=site.engine == "hugo",
            published=p.published,
            updated=page_modified(p, ctx.day),
            author=p.author,
            summary=p.summary,
            content_html=body_html(site, p, ctx),
            categories=p.tags,
        )
        for p in pages
    ]
    meta = FeedMeta(
        site.name, ctx.url(site.host), ctx.url(site.host, site.feed_path), site.tagline, "en"
    )
    last = max((i.updated or i.published for i in items), default=DAY1)
    if site.feed_format == "atom":
        return xml(feeds.atom(meta, items), feeds.CONTENT_TYPES["atom"], last_modified=last)
    return xml(feeds.rss(meta, items), feeds.CONTENT_TYPES["rss"], last_modified=last)
