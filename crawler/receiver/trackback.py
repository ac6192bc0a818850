"""TrackBack: ``POST /trackback?target=<post URL>`` or ``POST /trackback/<host>/<path>``.

A TrackBack ping URL names one entry. We serve every post from one endpoint, so the post is
in the ping URL itself, in one of two spellings (both advertised in docs/receiver.md):

* ``/trackback?target=https%3A%2F%2Fblog.example.org%2F2024%2F05%2Fpost%2F`` — any post URL,
  percent-encoded (the general form; the only one for ``?p=123`` style permalinks);
* ``/trackback/blog.example.org/2024/05/post/`` — the permalink without its scheme, which a
  theme can build by string concatenation (``https://`` is assumed; canonicalisation makes
  http and https the same post anyway).

The body is the TrackBack form (``url`` required, ``title``, ``excerpt``, ``blog_name``,
charset from the Content-Type), read by ``crawler.linkbacks.trackback``. The protocol has no
verification of its own; like the other two, the ping is queued and its source checked later.
The answer is ``<error>0</error>``, or ``<error>1</error>`` with a message; a ping already
verified for the post is refused as WordPress does ("We already have a ping from that URL").
HTTP-level problems keep their status (413, 408, 429 with Retry-After, 500).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from crawler.domain import Protocol
from crawler.linkbacks.trackback import (
    InvalidTrackback,
    parse_trackback_request,
    render_trackback_error,
    render_trackback_success,
)
from crawler.receiver.context import SECURITY_HEADERS, ReceiverContext
from crawler.receiver.intake import Verdict

__all__ = ["process_trackback", "target_of", "trackback_endpoint"]

log = logging.getLogger(__name__)

XML_TYPE = "text/xml; charset=utf-8"
NO_TARGET = (
    "No target post: ping /trackback?target=<post URL> or /trackback/<host>/<path> "
    "as advertised on the post."
)
ALREADY = "We already have a ping from that URL for this post."


def _xml(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body, status_code=status, media_type=XML_TYPE, headers=headers or dict(SECURITY_HEADERS)
    )


def target_of(path_rest: str, target_param: str | None) -> str:
    """The post a ping is for: the ``target`` parameter, else the path after /trackback/."""
    if target_param and target_param.strip():
        return target_param.strip()
    rest = path_rest.lstrip("/")
    return f"https://{rest}" if rest else ""


def process_trackback(
    ctx: ReceiverContext,
    body: bytes,
    content_type: str,
    query: bytes,
    target: str,
    remote_addr: str,
) -> Response:
    """Validate and queue one TrackBack ping (synchronous: it may touch the database)."""
    if not target:
        return _xml(render_trackback_error(NO_TARGET))
    try:
        ping = parse_trackback_request(body, content_type, query=query)
    except InvalidTrackback as exc:
        return _xml(render_trackback_error(exc.message))
    outcome = ctx.intake.accept(
        Protocol.TRACKBACK,
        ping.url,
        target,
        remote_addr=remote_addr,
        payload={"title": ping.title, "excerpt": ping.excerpt, "blog_name": ping.blog_name},
        refuse_verified=True,
    )
    if outcome.queued:
        return _xml(render_trackback_success())
    if outcome.verdict is Verdict.ALREADY_REGISTERED:
        return _xml(render_trackback_error(ALREADY))
    headers = dict(SECURITY_HEADERS)
    status = 200
    if outcome.retry_after:
        headers["Retry-After"] = str(outcome.retry_after)
        status = 429
    message = outcome.message[:1].upper() + outcome.message[1:] + "."
    return _xml(render_trackback_error(message), status=status, headers=headers)


def trackback_endpoint(ctx: ReceiverContext) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for ``POST /trackback`` and ``POST /trackback/{rest:path}``."""

    async def trackback(request: Request) -> Response:
        admission = await ctx.admit(request)
        if admission.refusal is not None:
            error = render_trackback_error(admission.message)
            return _xml(error, status=admission.refusal.value, headers=admission.headers)
        target = target_of(str(request.path_params.get("rest", "")), _first_target(request))
        try:
            return await run_in_threadpool(
                process_trackback,
                ctx,
                admission.body,
                request.headers.get("content-type", ""),
                bytes(request.scope.get("query_string", b"")),
                target,
                ctx.client(request),
            )
        except Exception:
            log.exception("trackback from %s failed", ctx.client(request))
            return _xml(render_trackback_error("Internal error; please try again later."), 500)

    return trackback


def _first_target(request: Request) -> str | None:
    values = request.query_params.getlist("target")
    return values[0] if values else None
