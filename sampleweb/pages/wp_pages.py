# ruff: noqa: E501  (markup is kept on whole lines, as in the themes and pages it imitates)
"""The organisation's self-hosted WordPress blog: pages, feeds, sitemaps and redirects.

It reproduces what a tracker meets on a real install: dated permalinks that 301 without their
trailing slash, ``/?p=ID`` shortlinks, the ``X-Pingback`` header and ``<link rel="pingback">``
on singular views, ``/feed/`` (RSS 2.0 with ``wfw:commentRss`` and ``slash:comments``),
``/feed/atom/``, per-post comment feeds and the site-wide ``/comments/feed/`` with WordPress's
exact item shape (no type field, at most ``posts_per_rss`` = 10 items, newest first), the core
sitemap, and AMP variants. The XML-RPC and REST endpoints live in ``wpapi.py``.
"""

from __future__ import annotations

import re

from sampleweb.pages import syndication as feeds
from sampleweb.pages import wp_feeds as wpfeeds
from sampleweb.pages import wp_interfaces as wpapi
from sampleweb.pages import wp_themes as themes
from sampleweb.pages.html import Ctx, esc, paragraphs_html, wp_date
from sampleweb.pages.messages import Request, Response, html, not_found, redirect, text, xml
from sampleweb.pages.wp_day import (
    comments_of,
    from_base62,
    last_change,
    permalink,
    shortlink,
    visible_post,
    visible_posts,
)
from sampleweb.world.model import DAY1, Post

_PERMALINK = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)(/.*)?$")


def wpme_redirect(req: Request, ctx: Ctx) -> Response:
    """``wp.me/p<code>-<id>``: a 301 to the post of the blog with that code, else 404."""
    code, _, rest = req.path.removeprefix("/p").partition("-")
    post_id = from_base62(rest) if req.path.startswith("/p") else None
    post = visible_post(ctx, post_id) if post_id is not None else None
    if code != ctx.world.org.shortlink_code or post is None:
        return not_found(req.target)
    return redirect(permalink(post, ctx))


def handle(req: Request, ctx: Ctx) -> Response:
    org = ctx.world.org
    path = req.path
    if path == "/":
        if req.param("p"):
            post = _by_id(req.param("p"), ctx)
            return redirect(permalink(post, ctx)) if post else not_found(req.target)
        feed = req.param("feed")
        if feed in ("rss2", "rss"):
            return _posts_feed(req, ctx)
        if feed == "comments-rss2":
            return wpfeeds.comments_rss(ctx, None)
        return _home(ctx)
    if path == "/feed/":
        return _posts_feed(req, ctx)
    if path == "/feed/atom/":
        return wpfeeds.posts_atom(ctx)
    if path == "/comments/feed/":
        return wpfeeds.comments_rss(ctx, None)
    if path == "/robots.txt":
        return text(
            "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
            f"Sitemap: {ctx.url(org.host, '/wp-sitemap.xml')}\n"
        )
    if path == "/wp-sitemap.xml":
        lastmod = max((p.published for p in visible_posts(ctx)), default=DAY1)
        body = feeds.sitemap_index([(ctx.url(org.host, "/wp-sitemap-posts-post-1.xml"), lastmod)])
        return xml(body, "application/xml; charset=UTF-8", last_modified=lastmod)
    if path == "/wp-sitemap-posts-post-1.xml":
        posts = visible_posts(ctx)
        body = feeds.sitemap([(permalink(p, ctx), last_change(p, ctx)) for p in posts])
        return xml(
            body,
            "application/xml; charset=UTF-8",
            last_modified=max((p.published for p in posts), default=DAY1),
        )
    if path == "/xmlrpc.php" or path.startswith("/wp-json"):
        return wpapi.handle_self_hosted(req, ctx)
    m = _PERMALINK.match(path)
    if m:
        post = _by_path(f"/{m.group(1)}/{m.group(2)}/{m.group(3)}/{m.group(4)}/", ctx)
        if post is None:
            return _not_found_page(ctx)
        rest = m.group(5) or ""
        if rest == "":
            return redirect(permalink(post, ctx))
        if rest == "/":
            return _post_page(post, ctx)
        if rest == "/feed/":
            return wpfeeds.comments_rss(ctx, post)
        if rest == "/feed/atom/":
            return wpfeeds.comments_atom(ctx, post)
        if rest == "/amp/":
            return _amp_page(post, ctx)
        if rest == "/trackback/":
            if req.method == "POST":
                return Response(
                    200,
                    b'<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>1</error>\n'
                    b"<message>Trackbacks are not recorded by this sample site.</message>\n</response>\n",
                    "text/xml; charset=UTF-8",
                )
            return redirect(permalink(post, ctx))
    return _not_found_page(ctx)


def _posts_feed(req: Request, ctx: Ctx) -> Response:
    """``/feed/`` and ``/feed/?paged=N`` (10 posts a page; past the last page: 404)."""
    raw = req.param("paged", "1")
    page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
    found = wpfeeds.posts_rss(ctx, page)
    return found if found is not None else _not_found_page(ctx)


def _by_id(raw: str, ctx: Ctx) -> Post | None:
    return next((p for p in visible_posts(ctx) if str(p.wp_id) == raw), None)


def _by_path(path: str, ctx: Ctx) -> Post | None:
    return next((p for p in visible_posts(ctx) if p.path == path), None)


# ----------------------------------------------------------------------------- pages


def _head(ctx: Ctx, title: str, extra: str = "") -> str:
    org = ctx.world.org
    base = ctx.url(org.host)
    return (
        '<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="UTF-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        f"<title>{title}</title>\n<meta name='robots' content='max-image-preview:large' />\n"
        f'<link rel="alternate" type="application/rss+xml" title="{esc(org.blog_name)} &raquo; Feed" href="{base}feed/" />\n'
        f'<link rel="alternate" type="application/rss+xml" title="{esc(org.blog_name)} &raquo; Comments Feed" href="{base}comments/feed/" />\n'
        f'{extra}<link rel="https://api.w.org/" href="{base}wp-json/" />\n'
        f'<link rel="EditURI" type="application/rsd+xml" title="RSD" href="{base}xmlrpc.php?rsd" />\n'
        '<meta name="generator" content="WordPress 6.8.1" />\n</head>\n'
    )


def _masthead(ctx: Ctx) -> str:
    org = ctx.world.org
    base = ctx.url(org.host)
    return (
        '<div id="page" class="site">\n<a class="skip-link screen-reader-text" href="#content">Skip to content</a>\n'
        '<header id="masthead" class="site-header has-title-and-tagline" role="banner">\n'
        f'<div class="site-branding"><p class="site-title"><a href="{base}" rel="home">{esc(org.blog_name)}</a></p>\n'
        f'<p class="site-description">{esc(org.tagline)}</p></div>\n'
        '<nav id="site-navigation" class="primary-navigation" aria-label="Primary menu"><div class="primary-menu-container">'
        f'<ul id="primary-menu-list" class="menu-wrapper"><li class="menu-item"><a href="{base}">Home</a></li>'
        f'<li class="menu-item"><a href="{base}category/wosc-27/">WOSC-27</a></li>'
        f'<li class="menu-item"><a href="{base}about/">About the Agency</a></li>'
        f'<li class="menu-item"><a href="{base}press-contacts/">Press contacts</a></li></ul></div></nav>\n</header>\n'
    )


def _sidebar(ctx: Ctx) -> str:
    posts = visible_posts(ctx)
    recent = "".join(
        f'<li><a href="{esc(permalink(p, ctx))}">{esc(p.title)}</a></li>' for p in posts[:5]
    )
    comments = sorted(
        (
            c
            for c in ctx.world.comments
            if c.day <= ctx.day and c.post_id in {p.wp_id for p in posts}
        ),
        key=lambda c: (c.date, c.id),
        reverse=True,
    )[:5]
    items = []
    for c in comments:
        post = ctx.world.post(c.post_id)
        who = (
            f'<a href="{esc(ctx.href(c.author_url))}" class="url" rel="ugc external nofollow">{esc(c.author)}</a>'
            if c.author_url
            else esc(c.author)
        )
        items.append(
            f'<li class="recentcomments"><span class="comment-author-link">{who}</span> on '
            f'<a href="{esc(permalink(post, ctx))}#comment-{c.id}">{esc(post.title)}</a></li>'
        )
    return (
        '<aside class="widget-area" role="complementary">\n'
        f'<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{recent}</ul></section>\n'
        f'<section class="widget widget_recent_comments"><h2 class="widget-title">Recent Comments</h2><ul id="recentcomments">{"".join(items)}</ul></section>\n'
        "</aside>\n"
    )


def _footer(ctx: Ctx) -> str:
    return (
        '<footer id="colophon" class="site-footer" role="contentinfo"><div class="site-info">'
        f"&copy; 2026 {esc(ctx.world.org.name)} &middot; "
        '<a href="https://wordpress.org/" class="imprint">Proudly powered by WordPress</a></div></footer>\n'
        "</div><!-- #page -->\n</body>\n</html>\n"
    )


def _home(ctx: Ctx) -> Response:
    org = ctx.world.org
    posts = visible_posts(ctx)
    arts = []
    for p in posts[:10]:
        link = permalink(p, ctx)
        n = len(comments_of(p, ctx))
        arts.append(
            f'<article id="post-{p.wp_id}" class="post-{p.wp_id} post type-post status-publish format-standard hentry">\n'
            f'<header class="entry-header"><h2 class="entry-title"><a href="{esc(link)}">{esc(p.title)}</a></h2></header>\n'
            f'<div class="entry-content"><p>{esc(p.paragraphs[0])}</p>\n<a class="more-link" href="{esc(link)}#more-{p.wp_id}">Continue reading</a></div>\n'
            f'<footer class="entry-footer"><time class="entry-date published" datetime="{p.published.isoformat()}">{wp_date(p.published)}</time> '
            f'<a href="{esc(link)}#comments">{n} Comments</a></footer>\n</article>\n'
        )
    body = (
        _head(ctx, f"{esc(org.blog_name)} &#8211; {esc(org.tagline)}")
        + '<body class="home blog wp-embed-responsive">\n'
        + _masthead(ctx)
        + '<div id="content" class="site-content"><main id="main" class="site-main">\n'
        + "".join(arts)
        + "</main></div>\n"
        + _sidebar(ctx)
        + _footer(ctx)
    )
    return html(body, last_modified=max((last_change(p, ctx) for p in posts), default=DAY1))


def _post_page(post: Post, ctx: Ctx) -> Response:
    org = ctx.world.org
    base = ctx.url(org.host)
    link = permalink(post, ctx)
    comments = comments_of(post, ctx)
    extra = (
        f'<link rel="alternate" type="application/rss+xml" title="{esc(org.blog_name)} &raquo; {esc(post.title)} Comments Feed" href="{link}feed/" />\n'
        f'<link rel="alternate" title="JSON" type="application/json" href="{base}wp-json/wp/v2/posts/{post.wp_id}" />\n'
        f"<link rel=\"canonical\" href=\"{link}\" />\n<link rel='shortlink' href='{shortlink(post, ctx)}' />\n"
        f'<link rel="pingback" href="{base}xmlrpc.php" />\n<link rel="amphtml" href="{link}amp/" />\n'
    )
    cat = post.category.lower().replace(" ", "-")
    tags = " ".join(f"tag-{t.replace(' ', '-')}" for t in post.tags)
    body = (
        _head(ctx, f"{esc(post.title)} &#8211; {esc(org.blog_name)}", extra)
        + f'<body class="post-template-default single single-post postid-{post.wp_id} single-format-standard wp-embed-responsive theme-{post.theme.value}">\n'
        + _masthead(ctx)
        + '<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">\n'
        + f'<article id="post-{post.wp_id}" class="post-{post.wp_id} post type-post status-publish format-standard hentry category-{cat} {tags}">\n'
        + f'<header class="entry-header"><h1 class="entry-title">{esc(post.title)}</h1></header>\n'
        + f'<div class="entry-content">\n{paragraphs_html(post.paragraphs, (), ctx)}\n</div><!-- .entry-content -->\n'
        + '<footer class="entry-footer default-max-width"><div class="posted-by">'
        + f'<span class="byline">By <a href="{base}author/{org.author_login}/" rel="author">{esc(org.author)}</a></span> '
        + f'<span class="posted-on">Published <time class="entry-date published updated" datetime="{post.published.isoformat()}">{wp_date(post.published)}</time></span></div>'
        + f'<div class="post-taxonomies"><span class="cat-links">Categorized as <a href="{base}category/{cat}/" rel="category tag">{esc(post.category)}</a></span></div>'
        + "</footer>\n</article><!-- #post -->\n"
        + themes.comment_section(post, comments, ctx, link)
        + "</main></div></div>\n"
        + _sidebar(ctx)
        + _footer(ctx)
    )
    resp = html(body, last_modified=max([post.published, *(c.date for c in comments)]))
    resp.headers += [
        ("X-Pingback", f"{base}xmlrpc.php"),
        ("Link", f'<{base}wp-json/>; rel="https://api.w.org/"'),
        (
            "Link",
            f'<{base}wp-json/wp/v2/posts/{post.wp_id}>; rel="alternate"; title="JSON"; type="application/json"',
        ),
        ("Link", f"<{shortlink(post, ctx)}>; rel=shortlink"),
    ]
    return resp


def _amp_page(post: Post, ctx: Ctx) -> Response:
    link = permalink(post, ctx)
    body = (
        f'<!doctype html>\n<html amp lang="en-GB">\n<head><meta charset="utf-8">\n<title>{esc(post.title)}</title>\n'
        f'<link rel="canonical" href="{link}">\n<meta name="viewport" content="width=device-width">\n'
        "<style amp-boilerplate>body{visibility:hidden}</style>\n</head>\n<body>\n"
        f'<header class="amp-wp-header"><a href="{ctx.url(ctx.world.org.host)}">{esc(ctx.world.org.blog_name)}</a></header>\n'
        f'<article class="amp-wp-article"><h1 class="amp-wp-title">{esc(post.title)}</h1>\n'
        f'<div class="amp-wp-article-content">\n{paragraphs_html(post.paragraphs, (), ctx)}\n</div></article>\n'
        f'<footer class="amp-wp-footer"><a href="{link}#comments">Comments</a></footer>\n</body>\n</html>\n'
    )
    return html(body, last_modified=post.published)


def _not_found_page(ctx: Ctx) -> Response:
    org = ctx.world.org
    body = (
        _head(ctx, f"Page not found &#8211; {esc(org.blog_name)}")
        + '<body class="error404">\n'
        + _masthead(ctx)
        + '<main id="main" class="site-main"><header class="page-header"><h1 class="page-title">Nothing here</h1></header>'
        + "<p>It looks like nothing was found at this location.</p></main>\n"
        + _footer(ctx)
    )
    return Response(404, body.encode("utf-8"))
