"""What every endpoint of one receiver app shares, and the steps they all take first.

``build_app`` creates one ``ReceiverContext`` per app (never at import time) and hands it to
the endpoint factories, so two apps in one process (tests, or two organisations) never share
limits or caches. ``admit`` is the common prologue of the three linkback endpoints: count the
request against the client's per-minute limit, then read the body within the size and time
limits. It returns either the body or the reason to refuse, and each protocol spells that
refusal its own way.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request

from crawler.config import Config
from crawler.receiver.intake import Intake
from crawler.receiver.limits import (
    BodyIncomplete,
    BodyTimeout,
    BodyTooLarge,
    RateLimiter,
    client_key,
    read_body,
)
from crawler.receiver.policy import Policy

__all__ = ["Admission", "ReceiverContext", "Refusal"]

log = logging.getLogger("crawler.receiver")

BODY_TIMEOUT_SECONDS = 10.0
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class Refusal(enum.Enum):
    """Why a request was refused before its body was looked at (HTTP status as value)."""

    RATE_LIMITED = 429
    TOO_LARGE = 413
    TIMEOUT = 408
    DISCONNECTED = 400


@dataclass(frozen=True, slots=True)
class Admission:
    body: bytes = b""
    refusal: Refusal | None = None
    message: str = ""
    retry_after: int = 0

    @property
    def headers(self) -> dict[str, str]:
        """Headers the refusal needs: Retry-After for 429, closing the connection after a
        body that was not read to its end."""
        headers = dict(SECURITY_HEADERS)
        if self.refusal is Refusal.RATE_LIMITED:
            headers["Retry-After"] = str(self.retry_after)
        elif self.refusal is not None:
            headers["Connection"] = "close"
        return headers


class ProxyHeaderWarning:
    """Logs once per app that forwarded headers arrive while the server ignores them.

    Behind a reverse proxy without ``--proxy-headers``, every request has the proxy's address:
    all senders share one per-IP rate limit, and one flooder locks everybody out.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._warned = False

    def check(self, request: Request, client: str) -> None:
        if self._warned:
            return
        headers = request.headers
        if "x-forwarded-for" not in headers and "forwarded" not in headers:
            return
        with self._lock:
            if self._warned:
                return
            self._warned = True
        log.warning(
            "requests from %s carry X-Forwarded-For/Forwarded, but the server runs without "
            "--proxy-headers: every client behind that proxy shares one rate limit "
            "(see docs/receiver.md)",
            client,
        )


@dataclass(frozen=True, slots=True)
class ReceiverContext:
    config: Config
    policy: Policy
    intake: Intake
    ip_limiter: RateLimiter
    clock: Callable[[], datetime]
    max_body_bytes: int
    body_timeout: float = BODY_TIMEOUT_SECONDS
    proxy_headers: bool = False
    proxy_warning: ProxyHeaderWarning = field(default_factory=ProxyHeaderWarning)

    @staticmethod
    def client(request: Request) -> str:
        """The client address as the server saw it (after trusted proxy headers)."""
        return request.client.host if request.client is not None else ""

    async def admit(self, request: Request) -> Admission:
        """Rate-limit the client, then read the body within the limits."""
        if not self.proxy_headers:
            self.proxy_warning.check(request, self.client(request))
        wait = self.ip_limiter.hit(client_key(self.client(request)))
        if wait:
            log.debug("rate limited %s on %s", self.client(request), request.url.path)
            return Admission(
                refusal=Refusal.RATE_LIMITED,
                message=f"too many requests from your address; retry in {wait} seconds",
                retry_after=wait,
            )
        try:
            body = await read_body(request, self.max_body_bytes, timeout=self.body_timeout)
        except BodyTooLarge as exc:
            return Admission(refusal=Refusal.TOO_LARGE, message=str(exc))
        except BodyTimeout as exc:
            return Admission(refusal=Refusal.TIMEOUT, message=str(exc))
        except BodyIncomplete as exc:
            return Admission(refusal=Refusal.DISCONNECTED, message=str(exc))
        return Admission(body=body)
