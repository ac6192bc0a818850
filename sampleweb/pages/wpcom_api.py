"""The WordPress.com public REST API v1.1 (read-only subset) on ``public-api.wordpress.test``.

``/rest/v1.1/sites/<site>/posts/<id>/replies/`` and ``/sites/<site>/comments/`` with ``type``
any|comment|pingback|trackback|pings, ``number`` 1–100 (more is a 400 ``invalid_number``),
``page`` or ``offset`` and ``order``. This is the anonymous route that does expose comment
types, unlike the core REST API.
"""

from __future__ import annotations

import re

from sampleweb.pages import wp_themes as themes
from sampleweb.pages.html import Ctx
from sampleweb.pages.messages import Request, Response, json_response
from sampleweb.pages.wp_day import permalink, shortlink, visible_post
from sampleweb.world.model import CommentType, Post, WpComment

_REPLIES = re.compile(r"^/rest/v1\.1/sites/([^/]+)/posts/(\d+)/replies/?$")
_SITE_COMMENTS = re.compile(r"^/rest/v1\.1/sites/([^/]+)/comments/?$")
_SITE_POSTS = re.compile(r"^/rest/v1\.1/sites/([^/]+)/posts/?$")
_SITE = re.compile(r"^/rest/v1\.1/sites/([^/]+)/")
PING_TYPES = (CommentType.PINGBACK, CommentType.TRACKBACK)


_WPCOM_TYPES = {
    "any": None,
    "comment": (CommentType.COMMENT,),
    "pingback": (CommentType.PINGBACK,),
    "trackback": (CommentType.TRACKBACK,),
    "pings": PING_TYPES,
}


def api_site(path: str) -> str:
    """The ``<site>`` an API path names (host or numeric id, lower case), or ``""``."""
    m = _SITE.match(path)
    return m.group(1).lower() if m else ""


def serves(site: str, ctx: Ctx) -> bool:
    """Whether ``site`` (host or site id) is the blog of ``ctx``'s world."""
    org = ctx.world.org
    return site in (org.host, org.www_host, str(org.wpcom_site_id))


def _wpme(post: Post, ctx: Ctx) -> str:
    """A comment's ``short_URL`` base: the post's wp.me link (a made-up one for a
    self-hosted blog, as Jetpack gives)."""
    if ctx.world.org.shortlink_code:
        return shortlink(post, ctx)
    return f"https://wp.me/p7ZfA-{post.wp_id}"


def _wpcom_error(status: int, code: str, message: str) -> Response:
    return json_response({"error": code, "message": message}, status)


def _wpcom_comment(c: WpComment, ctx: Ctx) -> dict[str, object]:
    post = ctx.world.post(c.post_id)
    link = permalink(post, ctx)
    parent: object = False
    if c.parent:
        parent = {"ID": c.parent, "type": "comment", "link": f"{link}#comment-{c.parent}"}
    site = ctx.world.org.wpcom_site_id
    api = ctx.url("public-api.wordpress.test", f"/rest/v1.1/sites/{site}")
    return {
        "ID": c.id,
        "post": {"ID": post.wp_id, "title": post.title, "type": "post", "link": link},
        "author": {
            "ID": 0,
            "login": "",
            "email": False,
            "name": c.author,
            "first_name": "",
            "last_name": "",
            "nice_name": "",
            "URL": ctx.href(c.author_url) if c.author_url else "",
            "avatar_URL": ctx.url(ctx.world.org.host, themes.AVATAR),
            "profile_URL": "",
            "ip_address": False,
        },
        "date": c.date.isoformat(),
        "URL": f"{link}#comment-{c.id}",
        "short_URL": f"{_wpme(post, ctx)}%23comment-{c.id}",
        "content": themes.content_html(c, ctx) + "\n",
        "raw_content": themes.content_text(c),
        "status": "approved",
        "parent": parent,
        "type": c.type.value,
        "like_count": 0,
        "i_like": False,
        "meta": {
            "links": {
                "self": f"{api}/comments/{c.id}",
                "help": f"{api}/comments/{c.id}/help",
                "site": api,
                "post": f"{api}/posts/{post.wp_id}",
                "replies": f"{api}/comments/{c.id}/replies/",
                "likes": f"{api}/comments/{c.id}/likes/",
            }
        },
    }


def handle_wpcom(req: Request, ctx: Ctx) -> Response:
    """``public-api.wordpress.test``: the WordPress.com REST API v1.1 (read-only subset)."""
    m = _REPLIES.match(req.path)
    sm = _SITE_COMMENTS.match(req.path)
    pm = _SITE_POSTS.match(req.path)
    if pm:
        return _site_posts(req, ctx, pm.group(1).lower())
    if not m and not sm:
        return _wpcom_error(404, "unknown_method", "Unknown method.")
    org = ctx.world.org
    site = (m or sm).group(1).lower()  # type: ignore[union-attr]
    if not serves(site, ctx):
        return _wpcom_error(404, "unknown_blog", "Unknown blog")
    post: Post | None = None
    if m:
        post = visible_post(ctx, int(m.group(2)))
        if post is None:
            return _wpcom_error(404, "unknown_post", "Unknown post")
    try:
        number = int(req.param("number", "20"))
    except ValueError:
        number = 20
    if number < 1:
        number = 20
    elif number > 100:
        return _wpcom_error(
            400, "invalid_number", "The NUMBER parameter must be less than or equal to 100."
        )
    kind = req.param("type", "any").lower()
    if kind not in _WPCOM_TYPES:
        return _wpcom_error(
            400,
            "invalid_input",
            "Invalid value for parameter type: must be any, comment, pingback, trackback or pings.",
        )
    page_raw, offset_raw = req.param("page"), req.param("offset")
    if page_raw:
        page = int(page_raw) if page_raw.isdigit() and int(page_raw) > 0 else 1
        offset = (page - 1) * number
    else:
        offset = int(offset_raw) if offset_raw.isdigit() else 0
    types = _WPCOM_TYPES[kind]
    visible = {p.wp_id for p in ctx.world.posts if p.day <= ctx.day}
    pool = [
        c
        for c in ctx.world.comments
        if c.day <= ctx.day
        and c.post_id in visible
        and (post is None or c.post_id == post.wp_id)
        and (types is None or c.type in types)
    ]
    pool.sort(key=lambda c: (c.date, c.id), reverse=req.param("order", "DESC").upper() != "ASC")
    chunk = pool[offset : offset + number]
    return json_response(
        {
            "found": len(pool),
            "site_ID": org.wpcom_site_id,
            "comments": [_wpcom_comment(c, ctx) for c in chunk],
        }
    )


def _site_posts(req: Request, ctx: Ctx, site: str) -> Response:
    """``/sites/<site>/posts/``: the blog's posts, newest first, ``number`` (at most 100) a
    page, ``page`` from 1, the total in ``found``; ``short_URL`` is WordPress's ``?p=ID``."""
    org = ctx.world.org
    if not serves(site, ctx):
        return _wpcom_error(404, "unknown_blog", "Unknown blog")
    raw_number, raw_page = req.param("number", "20"), req.param("page", "1")
    number = int(raw_number) if raw_number.isdigit() and int(raw_number) > 0 else 20
    if number > 100:
        return _wpcom_error(
            400, "invalid_number", "The NUMBER parameter must be less than or equal to 100."
        )
    page = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
    posts = sorted(
        (p for p in ctx.world.posts if p.day <= ctx.day), key=lambda p: p.published, reverse=True
    )
    chunk = posts[(page - 1) * number : page * number]
    return json_response(
        {
            "found": len(posts),
            "posts": [
                {
                    "ID": p.wp_id,
                    "site_ID": org.wpcom_site_id,
                    "date": p.published.isoformat(),
                    "title": p.title,
                    "URL": ctx.url(org.host, p.path),
                    "short_URL": shortlink(p, ctx),
                }
                for p in chunk
            ],
        }
    )
