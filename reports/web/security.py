"""The web app's defences that do not depend on a page (#20).

- ``SecurityHeaders``: a strict Content-Security-Policy (no inline script, no third-party
  anything), framing refused, no referrer leaves the site, no MIME sniffing. Added to every
  response, errors included.
- CSRF: one random token per session, in a hidden ``csrf_token`` field of every form that
  changes state; a POST without it, or with another session's (stale) token, is a 403.
- ``AddressLimiter``: failed logins per client address in a sliding window, on top of the
  per-user lock-out in storage, so one address cannot walk through many user names.
- ``local_path``: where to go after login, only ever a path on this site (no open redirect).
"""

from __future__ import annotations

import hmac
import secrets
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware adding ``HEADERS`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in HEADERS if n not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: object) -> None:
    """403 unless ``submitted`` is this session's token."""
    expected = request.session.get("csrf")
    if (
        not isinstance(expected, str)
        or not isinstance(submitted, str)
        or not hmac.compare_digest(expected.encode(), submitted.encode())
    ):
        raise HTTPException(403, "The form has expired or did not come from this site.")


def local_path(value: object, default: str = "/") -> str:
    """``value`` if it is a path on this site, else ``default``: never ``//host``,
    ``/\\host``, a scheme or control characters, which browsers would take off-site."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return default
    if value.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in value):
        return default
    return value


class AddressLimiter:
    """At most ``limit`` failures per address in ``window``; the clock is the app's."""

    def __init__(self, limit: int, window: timedelta, clock: Callable[[], datetime]) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[datetime]] = {}

    def _recent(self, address: str) -> deque[datetime]:
        now = self.clock()
        entries = self._failures.setdefault(address, deque())
        while entries and entries[0] <= now - self.window:
            entries.popleft()
        if not entries:
            self._failures.pop(address, None)
        return entries

    def blocked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.limit

    def failed(self, address: str) -> None:
        self._recent(address)
        self._failures.setdefault(address, deque()).append(self.clock())
        if len(self._failures) > 100_000:  # a flood of addresses must not eat the memory
            self._failures.clear()
