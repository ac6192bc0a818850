"""``build_app``: the receiver's ASGI application, assembled from a config and an engine.

URL layout (docs/receiver.md says how to advertise it):

======================================  ======  ===========================================
``/``                                   GET     status page (endpoints, receipt counts)
``/healthz``                            GET     ``ok`` when the database answers, else 503
``/xmlrpc``, ``/xmlrpc.php``            POST    Pingback 1.0 (XML-RPC ``pingback.ping``)
``/webmention``                         POST    W3C Webmention (202 Accepted when queued)
``/trackback?target=<post URL>``        POST    TrackBack ping for that post
``/trackback/<host>/<path>``            POST    TrackBack ping for ``https://<host>/<path>``
``/websub/<token>``                     GET     WebSub verification of intent (``[websub]``)
``/websub/<token>``                     POST    WebSub content distribution (signed)
======================================  ======  ===========================================

Nothing is built at import time: every app gets its own limiters and caches, and the server
(uvicorn, in ``scheduler/cmd_serve.py`` or a test) is the caller's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.routing import Route

from crawler.config import Config
from crawler.receiver.context import ReceiverContext
from crawler.receiver.intake import Intake, QueueLimits
from crawler.receiver.limits import RateLimiter
from crawler.receiver.pages import health_endpoint, status_endpoint
from crawler.receiver.pingback import pingback_endpoint
from crawler.receiver.policy import Policy
from crawler.receiver.trackback import trackback_endpoint
from crawler.receiver.webmention import webmention_endpoint
from crawler.receiver.websub import websub_endpoint

__all__ = ["build_app"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def build_app(
    config: Config,
    engine: Engine,
    *,
    clock: Callable[[], datetime] | None = None,
    cache_seconds: float = 60.0,
    miss_refresh_seconds: float = 5.0,
    body_timeout: float | None = None,
    proxy_headers: bool = False,
    others: Sequence[Config] = (),
) -> Starlette:
    """The receiver for ``config``'s organisation, storing receipts through ``engine``.

    ``clock`` gives the time stamped on receipts (default: now, UTC). Posts and the database
    blocklist are cached for ``cache_seconds``, and an unknown target reloads the posts at
    most every ``miss_refresh_seconds``; a request body must arrive within ``body_timeout``
    seconds (default: ``receiver.body_timeout_seconds``). ``proxy_headers`` says whether the
    server believes X-Forwarded-For (else forwarded headers are a misconfiguration to log).
    ``others`` are more organisations this one receiver serves (#16): each ping goes to the
    organisation whose post its target is, and a target nobody owns is refused. The limits
    and the public URL are ``config``'s.
    """
    now = clock or _utcnow
    limits = config.receiver
    policy = Policy(
        config,
        engine,
        others=others,
        refresh_seconds=cache_seconds,
        miss_refresh_seconds=miss_refresh_seconds,
    )
    ctx = ReceiverContext(
        config=config,
        policy=policy,
        intake=Intake(
            engine,
            policy,
            RateLimiter(limits.per_domain_per_minute),
            now,
            QueueLimits(
                max_queued=limits.max_queued,
                max_queued_per_target=limits.max_queued_per_target,
                max_queued_per_sender=limits.max_queued_per_sender,
                expire_after=timedelta(hours=limits.queue_expire_hours),
                final_recheck_after=timedelta(hours=limits.final_recheck_after_hours),
            ),
        ),
        ip_limiter=RateLimiter(limits.per_ip_per_minute),
        clock=now,
        max_body_bytes=limits.max_body_bytes,
        body_timeout=limits.body_timeout_seconds if body_timeout is None else body_timeout,
        proxy_headers=proxy_headers,
    )
    pingback = pingback_endpoint(ctx)
    trackback = trackback_endpoint(ctx)
    routes = [
        Route("/", status_endpoint(ctx, engine), methods=["GET"], name="status"),
        Route("/healthz", health_endpoint(engine), methods=["GET"], name="health"),
        Route("/xmlrpc", pingback, methods=["POST"], name="pingback"),
        Route("/xmlrpc.php", pingback, methods=["POST"], name="pingback-php"),
        Route("/webmention", webmention_endpoint(ctx), methods=["POST"], name="webmention"),
        Route("/trackback", trackback, methods=["POST"], name="trackback"),
        Route("/trackback/{rest:path}", trackback, methods=["POST"], name="trackback-path"),
    ]
    if config.websub.enabled:
        callback = websub_endpoint(config, engine, now, ctx.body_timeout)
        routes.append(Route("/websub/{token}", callback, methods=["GET", "POST"], name="websub"))
    return Starlette(routes=routes)
