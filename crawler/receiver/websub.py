"""WebSub callbacks (#21): ``GET|POST /websub/<token>``, one unguessable token a subscription.

* **GET** is the hub verifying our intent (WebSub §5.3): answered with ``hub.challenge`` only
  for a subscription we asked for, with its topic and the mode we asked; anything else is a
  404 (logged), so nobody can subscribe us to what we never wanted.
* **POST** is content distribution (§7): refused unless the subscription is active (410 once
  unsubscribed), the body fits ``websub.max_body_bytes`` (413) and arrives in time (408), the
  hub keeps under a per-subscription rate (429), the ``X-Hub-Signature`` HMAC of the raw body
  is valid under the subscription's secret (403: unsigned or badly signed, logged and counted)
  and a ``Link: rel=self`` names the subscription's topic (400, unknown topic). Then the
  document goes through the poll's pipeline (``crawler.websub.push``): 200.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from crawler.config import Config
from crawler.receiver.context import SECURITY_HEADERS
from crawler.receiver.limits import (
    BodyIncomplete,
    BodyTimeout,
    BodyTooLarge,
    RateLimiter,
    read_body,
)
from crawler.storage.db import session_scope
from crawler.storage.websub import Subscription, by_token, record_push, set_state
from crawler.websub.protocol import State, advertised, answer_verification, signature_valid
from crawler.websub.push import ingest

__all__ = ["websub_endpoint"]

log = logging.getLogger("crawler.receiver.websub")

#: Pushes one subscription may make a minute (a hub sends one per update of the feed).
PUSHES_PER_MINUTE = 60


def _text(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message, status_code=status, headers=headers or dict(SECURITY_HEADERS))


def websub_endpoint(
    config: Config, engine: Engine, clock: Callable[[], datetime], body_timeout: float
) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for ``/websub/{token}`` (GET and POST)."""
    settings = config.websub
    limiter = RateLimiter(PUSHES_PER_MINUTE)

    def load(token: str) -> Subscription | None:
        with session_scope(engine) as session:
            return by_token(session, token)

    def verify(token: str, params: dict[str, str]) -> Response:
        sub = load(token)
        state = State(sub.state) if sub is not None else None
        answer = answer_verification(
            state, sub.topic if sub else None, params, settings.lease_seconds
        )
        if answer.status != 200:
            log.warning(
                "websub verification refused (%s): mode=%r topic=%r",
                answer.reason, params.get("hub.mode", ""), params.get("hub.topic", ""),
            )  # fmt: skip
        elif sub is not None and answer.state is not None:
            with session_scope(engine) as session:
                lease = answer.lease_seconds if answer.state is State.ACTIVE else None
                set_state(
                    session, sub.id, answer.state.value, clock(),
                    lease_seconds=lease, error=answer.reason,
                )  # fmt: skip
            log.info("websub %s: %s (%s)", answer.state.value, sub.topic, sub.hub)
        return _text(answer.body, answer.status)

    def refuse(sub: Subscription, status: int, reason: str) -> Response:
        log.warning("websub push for %s refused: %s", sub.topic, reason)
        with session_scope(engine) as session:
            record_push(session, sub.id, clock(), refused=reason)
        return _text(reason, status)

    def receive(
        sub: Subscription, body: bytes, signature: str, links: list[str], ctype: str
    ) -> Response:
        if not signature:
            return refuse(sub, 403, "unsigned content (no X-Hub-Signature)")
        if not signature_valid(signature, body, sub.secret):
            return refuse(sub, 403, "invalid X-Hub-Signature")
        named = advertised(sub.topic, links, b"")
        if links and named is not None and named.topic != sub.topic:
            return refuse(sub, 400, f"unknown topic {named.topic!r}")
        if sub.source_id is None:
            return refuse(sub, 410, "the source is gone")
        now = clock()
        result = ingest(
            config, engine, sub.source_id, sub.topic, body, ctype, now,
            max_bytes=settings.max_body_bytes,
        )  # fmt: skip
        if result.error:
            return refuse(sub, 400, f"not a feed document: {result.error}")
        with session_scope(engine) as session:
            record_push(session, sub.id, now)
        log.info(
            "websub push for %s: %d entries, %d new, %d new finds",
            sub.topic, result.entries, result.new_entries, result.new_mentions,
        )  # fmt: skip
        return _text(f"ok: {result.new_entries} new entries", 200)

    async def endpoint(request: Request) -> Response:
        token = request.path_params["token"]
        if request.method == "GET":
            params = {k: v for k, v in request.query_params.items() if k.startswith("hub.")}
            return await run_in_threadpool(verify, token, params)
        if limiter.hit(token):
            return _text("too many pushes", 429, {**SECURITY_HEADERS, "Retry-After": "60"})
        try:
            body = await read_body(request, settings.max_body_bytes, timeout=body_timeout)
        except BodyTooLarge as exc:
            return _text(str(exc), 413, {**SECURITY_HEADERS, "Connection": "close"})
        except BodyTimeout as exc:
            return _text(str(exc), 408, {**SECURITY_HEADERS, "Connection": "close"})
        except BodyIncomplete as exc:
            return _text(str(exc), 400)
        sub = await run_in_threadpool(load, token)
        if sub is None:
            log.warning("websub push to an unknown callback from %s", request.client)
            return _text("unknown callback", 404)
        if sub.state != State.ACTIVE.value:
            return await run_in_threadpool(refuse, sub, 410, f"not subscribed ({sub.state})")
        try:
            return await run_in_threadpool(
                receive, sub, body,
                request.headers.get("x-hub-signature", ""),
                request.headers.getlist("link"),
                request.headers.get("content-type", ""),
            )  # fmt: skip
        except Exception:
            log.exception("websub push for %s failed", sub.topic)
            return _text("internal error; please retry", 500)

    return endpoint
