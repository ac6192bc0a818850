"""The pages behind the inbox (#20): ``/posts``, ``/posts/{id}``, ``/stories``, ``/sources``,
``/digests``, ``/digests/{id}`` and ``/runs``. Read-only, for every signed-in user, limited to
the organisations they see; an id that is unknown or not theirs is the same 404.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from crawler.storage.db import session_scope
from crawler.storage.pages import (
    digest_archive,
    digest_by_id,
    host_scorecard,
    post_linkbacks,
    post_summaries,
    visible_stories,
)
from crawler.storage.runs import recent_runs
from crawler.storage.sources import source_states
from reports.web.context import Endpoint, WebContext
from reports.web.inbox import visible_orgs

#: The archived digest is our own HTML with inline styles (made for mail clients); it is
#: shown under its own policy: styles only, nothing runs, nothing loads, sandboxed.
DIGEST_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
MAX_DIGEST_BYTES = 5_000_000


def _int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise HTTPException(404) from None
    if not 0 < number < 2**31:
        raise HTTPException(404)
    return number


def page_endpoints(ctx: WebContext) -> dict[str, Endpoint]:
    async def posts(request: Request) -> Response:
        user = ctx.require(request)
        search = (request.query_params.get("q") or "").strip()[:200]
        with session_scope(ctx.engine) as session:
            rows = post_summaries(session, visible_orgs(user), search=search, limit=200)
        return ctx.render(request, "posts.html.j2", user=user, posts=rows, q=search)

    async def post(request: Request) -> Response:
        user = ctx.require(request)
        with session_scope(ctx.engine) as session:
            found = post_linkbacks(session, _int(request.path_params["id"]), visible_orgs(user))
        if found is None:
            raise HTTPException(404)
        summary, linkbacks = found
        groups: dict[str, list[object]] = {}
        for lb in linkbacks:
            groups.setdefault(lb.kind, []).append(lb)
        return ctx.render(request, "post.html.j2", user=user, post=summary, groups=groups)

    async def stories(request: Request) -> Response:
        user = ctx.require(request)
        with session_scope(ctx.engine) as session:
            rows = visible_stories(session, visible_orgs(user))
        return ctx.render(request, "stories.html.j2", user=user, stories=rows)

    async def sources(request: Request) -> Response:
        user = ctx.require(request)
        orgs = visible_orgs(user)
        with session_scope(ctx.engine) as session:
            if orgs is None:
                states = source_states(session)
            else:
                states = [s for org in orgs for s in source_states(session, org)]
            hosts = host_scorecard(session)
        return ctx.render(request, "sources.html.j2", user=user, sources=states, hosts=hosts)

    async def runs(request: Request) -> Response:
        user = ctx.require(request)
        with session_scope(ctx.engine) as session:
            # The user's organisations' runs and the database-wide ones (#16)
            rows = list(recent_runs(session, limit=100, orgs=visible_orgs(user)))
        return ctx.render(request, "runs.html.j2", user=user, runs=rows)

    async def digests(request: Request) -> Response:
        user = ctx.require(request)
        with session_scope(ctx.engine) as session:
            rows = digest_archive(session, visible_orgs(user))
        return ctx.render(request, "digests.html.j2", user=user, digests=rows)

    async def digest(request: Request) -> Response:
        user = ctx.require(request)
        with session_scope(ctx.engine) as session:
            record = digest_by_id(session, _int(request.path_params["id"]), visible_orgs(user))
        path = Path(record.path) if record and record.path else None
        if path is None or not path.is_file() or path.stat().st_size > MAX_DIGEST_BYTES:
            raise HTTPException(404)
        html = path.read_text(encoding="utf-8", errors="replace")
        return HTMLResponse(html, headers={"Content-Security-Policy": DIGEST_CSP})

    return {
        "posts": posts,
        "post": post,
        "stories": stories,
        "sources": sources,
        "runs": runs,
        "digests": digests,
        "digest": digest,
    }
