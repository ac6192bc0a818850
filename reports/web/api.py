"""The read API and the Atom feed (#20), for scripts and feed readers.

``/api/v1/mentions`` (the inbox's filters, signed cursor, JSON), ``/api/v1/posts``,
``/api/v1/posts/{id}/linkbacks``, ``/api/v1/openapi.json`` (no token needed) and
``/feeds/mentions.atom?token=...``. A token (``mediamon token add``) reads one organisation:
no token or a revoked one is a 401, another organisation's post the same 404 as an unknown
one. Tokens go in ``Authorization: Bearer``; the feed takes ``?token=`` because feed readers
cannot send headers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from crawler.storage.db import session_scope
from crawler.storage.inbox import InboxItem, inbox_page
from crawler.storage.pages import post_linkbacks, post_summaries
from crawler.storage.tokens import token_org
from reports.web.context import Endpoint, WebContext
from reports.web.filters import parse_filters, to_inbox_filter
from reports.web.openapi import openapi_document

FEED_SIZE = 50


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def mention_json(m: InboxItem) -> dict[str, Any]:
    return {
        "id": m.id,
        "org": m.org,
        "kind": m.kind,
        "url": m.url,
        "title": m.title,
        "site": m.site,
        "language": m.language,
        "source": m.source_name,
        "published_at": _iso(m.published_at),
        "first_seen_at": _iso(m.first_seen_at),
        "snippet": m.snippet,
        "queries": list(m.queries),
        "target": m.target or None,
        "post_id": m.post_id,
        "triage": m.triage,
        "status": m.status,
    }


def _token(request: Request, *, query: bool = False) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if query:
        return request.query_params.get("token", "")
    return ""


def api_endpoints(ctx: WebContext) -> dict[str, Endpoint]:
    def org_of(request: Request, *, query: bool = False) -> str:
        token = _token(request, query=query)
        with session_scope(ctx.engine) as session:
            org = token_org(session, token) if token else None
        if org is None:
            raise HTTPException(
                401, "A valid token is needed.", headers={"WWW-Authenticate": "Bearer"}
            )
        return org

    def page_of(request: Request, org: str, limit: int) -> tuple[list[InboxItem], str | None]:
        filters = parse_filters(request.query_params)
        after = request.query_params.get("cursor", "")
        cursor = None
        if after:
            seen, last = ctx.unsign("api-cursor", after)
            try:
                cursor = (datetime.fromisoformat(seen), int(last))
            except (TypeError, ValueError):
                raise HTTPException(400, "This cursor has been altered.") from None
        f = to_inbox_filter(filters, (org,), ctx.settings.timezone)
        with session_scope(ctx.engine) as session:
            page = inbox_page(session, f, after=cursor, limit=limit)
        following = None
        if page.next_cursor:
            seen_at, last_id = page.next_cursor
            following = str(ctx.signer("api-cursor").dumps([seen_at.isoformat(), last_id]))
        return page.items, following

    async def mentions(request: Request) -> Response:
        org = org_of(request)
        try:
            limit = int(request.query_params.get("limit", "50"))
        except ValueError:
            raise HTTPException(400, "limit is a number from 1 to 200.") from None
        items, following = page_of(request, org, limit)
        return JSONResponse(
            {"mentions": [mention_json(m) for m in items], "next_cursor": following}
        )

    async def posts(request: Request) -> Response:
        org = org_of(request)
        search = (request.query_params.get("q") or "")[:200]
        with session_scope(ctx.engine) as session:
            rows = post_summaries(session, (org,), search=search, limit=200)
        return JSONResponse(
            {
                "posts": [
                    {
                        "id": p.id,
                        "url": p.url,
                        "title": p.title,
                        "published_at": _iso(p.published_at),
                        "linkbacks": p.counts,
                    }
                    for p in rows
                ]
            }
        )

    async def linkbacks(request: Request) -> Response:
        org = org_of(request)
        try:
            post_id = int(request.path_params["id"])
        except ValueError:
            raise HTTPException(404, "No such post.") from None
        with session_scope(ctx.engine) as session:
            found = post_linkbacks(session, post_id, (org,)) if 0 < post_id < 2**31 else None
        if found is None:
            raise HTTPException(404, "No such post.")
        post, rows = found
        return JSONResponse(
            {
                "post": {"id": post.id, "url": post.url, "title": post.title},
                "linkbacks": [
                    {
                        "kind": r.kind,
                        "url": r.url,
                        "title": r.title,
                        "site": r.site,
                        "author": r.author,
                        "status": r.status,
                        "triage": r.triage,
                        "first_seen_at": _iso(r.first_seen_at),
                        "checked_at": _iso(r.checked_at),
                        "next_check_at": _iso(r.next_check_at),
                    }
                    for r in rows
                ],
            }
        )

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(str(request.base_url).rstrip("/")))

    async def atom(request: Request) -> Response:
        org = org_of(request, query=True)
        items, _ = page_of(request, org, FEED_SIZE)
        updated = items[0].first_seen_at if items else ctx.clock()
        xml = ctx.env.get_template("mentions.atom.j2").render(
            org=org, items=items, updated=updated, self_url=str(request.url)
        )
        return Response(xml, media_type="application/atom+xml; charset=utf-8")

    return {
        "mentions": mentions,
        "posts": posts,
        "linkbacks": linkbacks,
        "openapi": openapi,
        "atom": atom,
    }
