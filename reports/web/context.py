"""What every page of the web app shares: the engine, the templates, the clock, the signer.

Built once per app by ``reports.web.app.build_web_app``; nothing is module state, so two
apps (two tests, two organisations) never share a limiter or a key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from crawler.storage.db import session_scope
from crawler.storage.users import Role, User, user_by_id
from reports.highlight import highlight, mark_html
from reports.text import clip, safe_url
from reports.web.security import AddressLimiter, csrf_token

#: A page handler, as Starlette's ``Route`` takes it.
Endpoint = Callable[[Request], Awaitable[Response]]

#: rel of every link to a third-party page: no referrer, no opener, no endorsement.
EXTERNAL_REL = "nofollow noopener noreferrer ugc"


@dataclass(frozen=True)
class WebSettings:
    """How the app runs: ``secure_cookies`` behind HTTPS, how long a session lasts."""

    secure_cookies: bool = False
    session_lifetime: timedelta = timedelta(hours=12)
    login_failures_per_address: int = 20
    login_window: timedelta = timedelta(minutes=15)
    timezone: str = "UTC"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clip"] = clip
    env.filters["safe_url"] = safe_url
    env.filters["when"] = _when
    env.globals["EXTERNAL_REL"] = EXTERNAL_REL
    env.globals["marked"] = _marked
    return env


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _marked(snippet: str, words: list[str]) -> Markup:
    return mark_html(highlight(snippet, terms=words, max_chars=300))


@dataclass
class WebContext:
    engine: Engine
    settings: WebSettings
    clock: Callable[[], datetime]
    secret: str
    env: Environment
    limiter: AddressLimiter

    @classmethod
    def build(
        cls, engine: Engine, settings: WebSettings, clock: Callable[[], datetime], secret: str
    ) -> WebContext:
        limiter = AddressLimiter(settings.login_failures_per_address, settings.login_window, clock)
        return cls(engine, settings, clock, secret, _environment(), limiter)

    def signer(self, purpose: str) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt=f"mediamon-web-{purpose}")

    def unsign(self, purpose: str, value: str) -> Any:
        """The value signed for ``purpose``; a tampered one is a 400."""
        try:
            return self.signer(purpose).loads(value)
        except (BadSignature, ValueError, TypeError):
            raise HTTPException(400, "This link has been altered.") from None

    def render(
        self, request: Request, template: str, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        user = values.pop("user", None)
        html = self.env.get_template(template).render(
            user=user,
            csrf_token=csrf_token(request),
            path=request.url.path,
            Role=Role,
            **values,
        )
        return HTMLResponse(html, status_code=status_code)

    def current_user(self, request: Request) -> User | None:
        """The signed-in user, or None: no session, a removed user, a changed password
        (``auth_version``) or a session older than ``session_lifetime`` all sign out."""
        data = request.session
        user_id, version, since = data.get("uid"), data.get("av"), data.get("since")
        if not isinstance(user_id, int) or not isinstance(since, str):
            return None
        try:
            started = datetime.fromisoformat(since)
        except ValueError:
            return None
        if self.clock() - started > self.settings.session_lifetime:
            data.clear()
            return None
        with session_scope(self.engine) as session:
            user = user_by_id(session, user_id)
        if user is None or user.auth_version != version:
            data.clear()
            return None
        return user

    def require(self, request: Request, role: Role = Role.VIEWER) -> User:
        """The signed-in user with at least ``role``: else 401 (not signed in; pages
        redirect to the login form) or 403."""
        user = self.current_user(request)
        if user is None:
            raise HTTPException(401, "Sign in to see this page.")
        if not user.can(role):
            raise HTTPException(403, "Your account may not do this.")
        return user
