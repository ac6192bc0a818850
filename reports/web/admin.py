"""``/admin`` (#20): admins manage users and tokens in the browser, as with ``mediamon user``
and ``mediamon token``. Admins only (403 for anyone else); every form carries the CSRF token;
a new token is shown once, on the page that made it, and only its hash is stored.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from crawler.storage.db import session_scope
from crawler.storage.tokens import TokenError, add_token, list_tokens, revoke_token
from crawler.storage.users import AccountError, Role, add_user, list_users, remove_user
from reports.web.context import Endpoint, WebContext
from reports.web.security import check_csrf


def admin_endpoints(ctx: WebContext) -> tuple[Endpoint, Endpoint]:
    def page(request: Request, *, error: str = "", token: str = "", status: int = 200) -> Response:
        user = ctx.require(request, Role.ADMIN)
        with session_scope(ctx.engine) as session:
            users, tokens = list_users(session), list_tokens(session)
        return ctx.render(
            request,
            "admin.html.j2",
            status_code=status,
            user=user,
            users=users,
            tokens=tokens,
            roles=[r.value for r in Role],
            error=error,
            new_token=token,
        )

    async def admin(request: Request) -> Response:
        return page(request)

    async def change(request: Request) -> Response:
        me = ctx.require(request, Role.ADMIN)
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(request, form.get("csrf_token"))
        action = str(form.get("action") or "")
        name = str(form.get("name") or "").strip()[:100]
        try:
            with session_scope(ctx.engine) as session:
                if action == "add-user":
                    role = str(form.get("role") or "")
                    if role not in {r.value for r in Role}:
                        raise AccountError("unknown role")
                    orgs = [o.strip() for o in str(form.get("orgs") or "").split(",")]
                    password = str(form.get("password") or "")
                    add_user(
                        session, name, password, Role(role), [o for o in orgs if o], ctx.clock()
                    )
                elif action == "remove-user":
                    if name == me.name:
                        raise AccountError("you cannot remove yourself")
                    if not remove_user(session, name):
                        raise AccountError(f"no user named {name!r}")
                elif action == "add-token":
                    org = str(form.get("org") or "").strip()[:200]
                    if not org:
                        raise TokenError("a token reads one organisation: name it")
                    token = add_token(session, name, org, ctx.clock())
                    return page(request, token=token)
                elif action == "revoke-token":
                    revoke_token(session, name, ctx.clock())
                else:
                    raise HTTPException(400, "Unknown action.")
        except (AccountError, TokenError) as exc:
            return page(request, error=str(exc), status=400)
        return RedirectResponse("/admin", 303)

    return admin, change
