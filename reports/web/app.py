"""``build_web_app``: the newsroom web app (#20), assembled from an engine and settings.

======================  ==========  =================================================
``/``                   GET         the inbox: finds, filters, search, volume chart
``/login``              GET, POST   sign in (form: username, password, csrf_token)
``/logout``             POST        sign out
``/triage``             POST        mark finds (editor)
``/triage/undo``        POST        undo the last triage click (editor)
``/posts``, ``/posts/N``  GET         our posts; one post's linkbacks by kind
``/stories``            GET         syndicated stories and their pickups
``/sources``            GET         source health and the politeness scorecard
``/digests``, ``/digests/N``  GET   the digest archive; one digest as sent
``/runs``               GET         recent runs and their stats
``/admin``              GET, POST   users and tokens (admin)
``/api/v1/...``          GET         the read API (bearer token; openapi.json)
``/feeds/mentions.atom``  GET       the finds as Atom (``?token=``)
``/static/...``         GET         the stylesheet (no script is needed anywhere)
======================  ==========  =================================================

Nothing is built at import time; the session key lives in the database (``app_secrets``) so
every process serving the same database accepts the same cookies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from crawler.storage.db import session_scope
from crawler.storage.tokens import app_secret
from reports.web.admin import admin_endpoints
from reports.web.api import api_endpoints
from reports.web.auth import login_endpoints, login_redirect
from reports.web.context import WebContext, WebSettings
from reports.web.inbox import inbox_endpoints
from reports.web.pages import page_endpoints
from reports.web.security import SecurityHeaders

__all__ = ["WebSettings", "build_web_app"]

TITLES = {
    400: "Bad request",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    429: "Too many requests",
    500: "Something went wrong",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _error_handler(ctx: WebContext) -> Callable[[Request, Exception], Any]:
    async def handle(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        # Our own messages only (HTTPException details we wrote); never a traceback.
        detail = exc.detail if isinstance(exc, HTTPException) and status < 500 else ""
        if status == 401 and not request.url.path.startswith(("/api/", "/feeds/")):
            return login_redirect(request)
        if request.url.path.startswith(("/api/", "/feeds/")):
            headers = exc.headers if isinstance(exc, HTTPException) else None
            body = {"error": TITLES.get(status, "Error"), "detail": detail}
            return JSONResponse(body, status, headers=headers)
        if status == 404:
            detail = "There is no such page."
        return ctx.render(
            request,
            "error.html.j2",
            status_code=status,
            title=TITLES.get(status, "Error"),
            detail=detail,
            user=None,
        )

    return handle


def build_web_app(
    engine: Engine,
    settings: WebSettings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
) -> Starlette:
    """The web app on ``engine`` (a migrated database)."""
    now = clock or _utcnow
    settings = settings or WebSettings()
    with session_scope(engine) as session:
        secret = app_secret(session, "web-session", now())
    ctx = WebContext.build(engine, settings, now, secret)
    login, logout = login_endpoints(ctx)
    inbox, triage, undo = inbox_endpoints(ctx)
    pages = page_endpoints(ctx)
    admin, admin_change = admin_endpoints(ctx)
    api = api_endpoints(ctx)
    static = resources.files("reports.web").joinpath("static")
    routes = [
        Route("/", inbox, methods=["GET"], name="inbox"),
        Route("/login", login, methods=["GET", "POST"], name="login"),
        Route("/logout", logout, methods=["POST"], name="logout"),
        Route("/triage", triage, methods=["POST"], name="triage"),
        Route("/triage/undo", undo, methods=["POST"], name="undo"),
        Route("/posts", pages["posts"], methods=["GET"], name="posts"),
        Route("/posts/{id}", pages["post"], methods=["GET"], name="post"),
        Route("/stories", pages["stories"], methods=["GET"], name="stories"),
        Route("/sources", pages["sources"], methods=["GET"], name="sources"),
        Route("/runs", pages["runs"], methods=["GET"], name="runs"),
        Route("/digests", pages["digests"], methods=["GET"], name="digests"),
        Route("/digests/{id}", pages["digest"], methods=["GET"], name="digest"),
        Route("/admin", admin, methods=["GET"], name="admin"),
        Route("/admin", admin_change, methods=["POST"], name="admin-change"),
        Route("/api/v1/mentions", api["mentions"], methods=["GET"], name="api-mentions"),
        Route("/api/v1/posts", api["posts"], methods=["GET"], name="api-posts"),
        Route("/api/v1/posts/{id}/linkbacks", api["linkbacks"], methods=["GET"], name="api-lb"),
        Route("/api/v1/openapi.json", api["openapi"], methods=["GET"], name="openapi"),
        Route("/feeds/mentions.atom", api["atom"], methods=["GET"], name="feed"),
        Mount("/static", StaticFiles(directory=str(static)), name="static"),
    ]
    handler = _error_handler(ctx)
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie="mediamon_session",
                max_age=int(settings.session_lifetime.total_seconds()),
                same_site="lax",
                https_only=settings.secure_cookies,
            ),
        ],
        exception_handlers={HTTPException: handler, Exception: handler},
    )
