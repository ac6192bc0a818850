"""Sign in and out (#20).

The login form posts ``username``, ``password`` and the session's ``csrf_token``. Every
failure (unknown user, wrong password, locked account, too many tries from the address) shows
the same message with the same status, so the form does not tell which names exist. A
successful login starts a fresh session (new CSRF token: no session fixation) and goes to the
``next`` path, which is only ever a path on this site.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from crawler.storage.db import session_scope
from crawler.storage.users import authenticate
from reports.web.context import Endpoint, WebContext
from reports.web.security import check_csrf, csrf_token, local_path

FAILED = "Wrong user name or password (or too many attempts: wait a few minutes)."


def login_redirect(request: Request) -> RedirectResponse:
    """To the login form, coming back to this page afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": local_path(target)}), 303)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_endpoints(ctx: WebContext) -> tuple[Endpoint, Endpoint]:
    async def login(request: Request) -> Response:
        if request.method == "GET":
            if ctx.current_user(request) is not None:
                return RedirectResponse(local_path(request.query_params.get("next")), 303)
            csrf_token(request)
            return ctx.render(
                request, "login.html.j2", next=local_path(request.query_params.get("next"))
            )
        form = await request.form(max_files=0, max_fields=10)
        check_csrf(request, form.get("csrf_token"))
        name = str(form.get("username") or "")[:200]
        password = str(form.get("password") or "")[:2000]
        target = local_path(form.get("next"))
        address = _address(request)
        user = None
        if not ctx.limiter.blocked(address):
            with session_scope(ctx.engine) as session:
                user = authenticate(session, name, password, ctx.clock()).user
            if user is None:
                ctx.limiter.failed(address)
        if user is None:
            return ctx.render(
                request, "login.html.j2", status_code=401, error=FAILED, next=target, name=name
            )
        request.session.clear()
        request.session.update(
            {"uid": user.id, "av": user.auth_version, "since": ctx.clock().isoformat()}
        )
        csrf_token(request)
        return RedirectResponse(target, 303)

    async def logout(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=5)
        check_csrf(request, form.get("csrf_token"))
        request.session.clear()
        return RedirectResponse("/login", 303)

    return login, logout
