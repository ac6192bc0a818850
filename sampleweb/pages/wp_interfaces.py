"""The machine interfaces of WordPress that a linkback harvester can try, with their real quirks.

* ``/xmlrpc.php`` — ``pingback.extensions.getPingbacks(url)`` returns the source URLs of
  ``pingback``-type comments only (no trackbacks, reblogs or webmentions); unknown targets get
  fault 32 as in ``class-wp-xmlrpc-server.php``. Requests are parsed with defusedxml.
* ``/wp-json/wp/v2/comments`` — anonymous callers may only ask for ``type=comment`` (the
  default); any other type is refused with 401 ``rest_forbidden_param``, which is why the core
  REST API is not a practical source of pings.
* The WordPress.com public API (``public-api.wordpress.test``): ``/rest/v1.1/sites/<site>/posts
  /<id>/replies/`` with ``type=any|comment|pingback|trackback|pings``, ``number`` ≤ 100 (else 400
  ``invalid_number``) and ``page``/``offset`` — the anonymous route that does expose types.
"""

from __future__ import annotations

import math
import re
import xmlrpc.client
from urllib.parse import urlsplit

from defusedxml import ElementTree as SafeET

from sampleweb.pages import wp_themes as themes
from sampleweb.pages.html import Ctx
from sampleweb.pages.messages import Request, Response, json_response
from sampleweb.pages.wp_day import permalink, visible_post
from sampleweb.world.model import CommentType, Post, WpComment

_WP_POST = re.compile(r"^/wp-json/wp/v2/posts/(\d+)/?$")


def handle_self_hosted(req: Request, ctx: Ctx) -> Response:
    if req.path == "/xmlrpc.php":
        if "rsd" in req.query:
            return _rsd(ctx)
        if req.method != "POST":
            return Response(
                405,
                b"XML-RPC server accepts POST requests only.",
                "text/plain; charset=UTF-8",
                [("Allow", "POST")],
            )
        return _xmlrpc(req, ctx)
    if req.path in ("/wp-json", "/wp-json/"):
        org = ctx.world.org
        return json_response(
            {
                "name": org.blog_name,
                "description": org.tagline,
                "url": ctx.url(org.host).rstrip("/"),
                "home": ctx.url(org.host).rstrip("/"),
                "namespaces": ["oembed/1.0", "wp/v2"],
            }
        )
    if req.path.rstrip("/") == "/wp-json/wp/v2/comments":
        return _rest_comments(req, ctx)
    if req.path.rstrip("/") == "/wp-json/wp/v2/posts":
        return _rest_posts(req, ctx)
    m = _WP_POST.match(req.path)
    if m:
        post = visible_post(ctx, int(m.group(1)))
        if post is None:
            return _rest_error(404, "rest_post_invalid_id", "Invalid post ID.")
        return json_response(_rest_post(post, ctx))
    return _rest_error(
        404, "rest_no_route", "No route was found matching the URL and request method."
    )


# ----------------------------------------------------------------------------- XML-RPC


def _rsd(ctx: Ctx) -> Response:
    base = ctx.url(ctx.world.org.host)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rsd version="1.0" xmlns="http://archipelago.phrasewise.com/rsd">\n'
        f"  <service>\n    <engineName>WordPress</engineName>\n    <engineLink>https://wordpress.org/</engineLink>\n"
        f"    <homePageLink>{base}</homePageLink>\n    <apis>\n"
        f'      <api name="WordPress" blogID="1" preferred="true" apiLink="{base}xmlrpc.php" />\n'
        f'      <api name="WP-API" blogID="1" preferred="false" apiLink="{base}wp-json/" />\n'
        "    </apis>\n  </service>\n</rsd>\n"
    )
    return Response(200, body.encode(), "application/rsd+xml; charset=UTF-8")


def _xml_response(payload: str) -> Response:
    return Response(200, payload.encode("utf-8"), "text/xml; charset=UTF-8", compressible=False)


def _fault(code: int, message: str) -> Response:
    return _xml_response(
        xmlrpc.client.dumps(
            xmlrpc.client.Fault(code, message), methodresponse=True, encoding="UTF-8"
        )
    )


def _params(body: bytes) -> tuple[str, list[str]]:
    root = SafeET.fromstring(body)
    if root.tag != "methodCall":
        raise ValueError("not a methodCall")
    name = (root.findtext("methodName") or "").strip()
    params: list[str] = []
    for value in root.iterfind("params/param/value"):
        inner = list(value)
        params.append((inner[0].text if inner else value.text) or "")
    return name, params


def _xmlrpc(req: Request, ctx: Ctx) -> Response:
    try:
        method, params = _params(req.body)
    except Exception:  # defusedxml raises several types for hostile or broken XML
        return _fault(-32700, "parse error. not well formed")
    if method == "system.listMethods":
        methods = [
            "system.multicall",
            "system.listMethods",
            "system.getCapabilities",
            "pingback.extensions.getPingbacks",
            "pingback.ping",
            "demo.sayHello",
        ]
        return _xml_response(xmlrpc.client.dumps((methods,), methodresponse=True, encoding="UTF-8"))
    if method == "demo.sayHello":
        return _xml_response(
            xmlrpc.client.dumps(("Hello!",), methodresponse=True, encoding="UTF-8")
        )
    if method == "pingback.extensions.getPingbacks":
        if len(params) != 1:
            return _fault(-32602, "server error. wrong number of method parameters")
        post = url_to_post(params[0], ctx)
        if post is None:
            return _fault(
                32,
                "The specified target URL cannot be used as a target. It either does not exist, "
                "or it is not a pingback-enabled resource.",
            )
        sources = [
            ctx.href(c.author_url)
            for c in ctx.world.comments_on(post.wp_id, ctx.day)
            if c.type == CommentType.PINGBACK and c.author_url is not None
        ]
        return _xml_response(xmlrpc.client.dumps((sources,), methodresponse=True, encoding="UTF-8"))
    return _fault(-32601, f"server error. requested method {method} does not exist.")


def url_to_post(url: str, ctx: Ctx) -> Post | None:
    """WordPress's ``url_to_postid``: host with or without www, any scheme, ``?p=N``, the
    permalink with or without its trailing slash; query string and #fragment ignored."""
    org = ctx.world.org
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host not in (org.host, org.www_host):
        return None
    if parts.query.startswith("p=") and parts.path in ("", "/"):
        raw = parts.query[2:].split("&")[0]
        return visible_post(ctx, int(raw)) if raw.isdigit() else None
    path = parts.path.rstrip("/") + "/"
    return next((p for p in ctx.world.posts if p.path == path and p.day <= ctx.day), None)


# ----------------------------------------------------------------------------- core REST


def _rest_error(status: int, code: str, message: str, **data: object) -> Response:
    return json_response(
        {"code": code, "message": message, "data": {"status": status, **data}}, status
    )


def _local(moment_iso: str) -> str:
    return moment_iso[:19]


def _rest_comment(c: WpComment, ctx: Ctx) -> dict[str, object]:
    post = ctx.world.post(c.post_id)
    return {
        "id": c.id,
        "post": c.post_id,
        "parent": c.parent,
        "author": 1 if c.by_organisation else 0,
        "author_name": c.author,
        "author_url": ctx.href(c.author_url) if c.author_url else "",
        "date": _local(c.date.isoformat()),
        "date_gmt": _local(c.date.isoformat()),
        "content": {"rendered": themes.content_html(c, ctx) + "\n"},
        "link": f"{permalink(post, ctx)}#comment-{c.id}",
        "status": "approved",
        "type": "comment",
        "author_avatar_urls": {"24": ctx.url(ctx.world.org.host, themes.AVATAR)},
        "meta": [],
    }


def _rest_comments(req: Request, ctx: Ctx) -> Response:
    forbidden = []
    if req.param("type", "comment") != "comment":
        forbidden.append("type")
    if req.param("status", "approve") != "approve":
        forbidden.append("status")
    if req.param("author_email"):
        forbidden.append("author_email")
    if forbidden:
        return _rest_error(
            401, "rest_forbidden_param", f"Query parameter not permitted: {', '.join(forbidden)}"
        )
    per_page_raw = req.param("per_page", "10")
    page_raw = req.param("page", "1")
    if not per_page_raw.isdigit() or not 1 <= int(per_page_raw) <= 100:
        return _rest_error(
            400,
            "rest_invalid_param",
            "Invalid parameter(s): per_page",
            params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
        )
    if not page_raw.isdigit() or int(page_raw) < 1:
        return _rest_error(
            400,
            "rest_invalid_param",
            "Invalid parameter(s): page",
            params={"page": "page must be greater than or equal to 1"},
        )
    per_page, page = int(per_page_raw), int(page_raw)
    wanted = (
        {int(x) for x in req.param("post").split(",") if x.strip().isdigit()}
        if req.param("post")
        else None
    )
    visible = {p.wp_id for p in ctx.world.posts if p.day <= ctx.day}
    pool = [
        c
        for c in ctx.world.comments
        if c.day <= ctx.day
        and c.post_id in visible
        and c.type == CommentType.COMMENT
        and (wanted is None or c.post_id in wanted)
    ]
    reverse = req.param("order", "desc").lower() != "asc"
    pool.sort(key=lambda c: (c.date, c.id), reverse=reverse)
    total = len(pool)
    pages = max(1, math.ceil(total / per_page))
    if page > pages and total:
        return _rest_error(
            400,
            "rest_comment_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
        )
    chunk = pool[(page - 1) * per_page : page * per_page]
    return json_response(
        [_rest_comment(c, ctx) for c in chunk],
        headers=[("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))],
    )


def _rest_posts(req: Request, ctx: Ctx) -> Response:
    """``/wp-json/wp/v2/posts``: ``per_page`` (default 10, at most 100) and ``page``, the
    totals in ``X-WP-Total`` / ``X-WP-TotalPages``; a page past the last is WordPress's 400
    ``rest_post_invalid_page_number``."""
    posts = sorted(
        (p for p in ctx.world.posts if p.day <= ctx.day), key=lambda p: p.published, reverse=True
    )
    per_raw, page_raw = req.param("per_page", "10"), req.param("page", "1")
    per_page = int(per_raw) if per_raw.isdigit() else 0
    page = int(page_raw) if page_raw.isdigit() else 0
    if not 1 <= per_page <= 100:
        return _rest_error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
    if page < 1:
        return _rest_error(400, "rest_invalid_param", "Invalid parameter(s): page")
    pages = max(1, math.ceil(len(posts) / per_page))
    if page > pages:
        return _rest_error(
            400,
            "rest_post_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
        )
    shown = posts[(page - 1) * per_page : page * per_page]
    return json_response(
        [_rest_post(p, ctx) for p in shown],
        headers=[("X-WP-Total", str(len(posts))), ("X-WP-TotalPages", str(pages))],
    )


def _rest_post(post: Post, ctx: Ctx) -> dict[str, object]:
    link = permalink(post, ctx)
    return {
        "id": post.wp_id,
        "date": _local(post.published.isoformat()),
        "date_gmt": _local(post.published.isoformat()),
        "guid": {"rendered": ctx.url(ctx.world.org.host, f"/?p={post.wp_id}")},
        "slug": post.slug,
        "status": "publish",
        "type": "post",
        "link": link,
        "title": {"rendered": post.title},
        "excerpt": {"rendered": f"<p>{post.paragraphs[0]}</p>\n", "protected": False},
        "author": 1,
        "comment_status": "open",
        "ping_status": "open",
    }
