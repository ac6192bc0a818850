"""W3C Webmention: ``POST /webmention`` with form-encoded ``source`` and ``target``.

Request verification is synchronous and answered in HTTP terms (Webmention §3.2.1): anything
the sender got wrong is a **400** with a one-line plain-text reason (not form-encoded, not
UTF-8, a missing or non-http(s) URL, source equal to target, a target that is not one of our
posts; the target's ``#fragment`` is ignored for that check). A blocked source gets **403**,
a flood or a full queue **429** with ``Retry-After``, an oversized body **413**; a source
refused lately for a final reason (too large, guard, 404 ...) gets **400** with that reason
and is not fetched again. A valid request is queued and
answered **202 Accepted** without ``Location`` (the spec's asynchronous, no-status-page form);
the source is fetched and checked later by the verify run.

Sending the same (source, target) again re-queues the one receipt once it has been checked
(a re-send while it waits keeps its place and its retry budget): that is how Webmention
updates and deletes arrive, and the verifier decides whether the mention is updated or, when
the source is now 410 or no longer links, marked deleted (``crawler.receiver.decide``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from crawler.domain import Protocol
from crawler.linkbacks.webmention import InvalidRequest, parse_webmention_body
from crawler.receiver.context import SECURITY_HEADERS, ReceiverContext
from crawler.receiver.intake import Verdict

__all__ = ["process_webmention", "webmention_endpoint"]

log = logging.getLogger(__name__)

STATUS: dict[Verdict, int] = {
    Verdict.QUEUED: 202,
    Verdict.INVALID_SOURCE: 400,
    Verdict.INVALID_TARGET: 400,
    Verdict.FOREIGN_TARGET: 400,
    Verdict.NOT_A_POST: 400,
    Verdict.SAME_URL: 400,
    Verdict.BLOCKED: 403,
    Verdict.RATE_LIMITED: 429,
    Verdict.ALREADY_REGISTERED: 202,  # never produced for webmentions: they re-queue
    Verdict.FINAL: 400,  # checked lately and refused for good: the stored reason
    Verdict.QUEUE_FULL: 429,
}


def _text(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(
        message.rstrip("\n") + "\n", status_code=status, headers=headers or dict(SECURITY_HEADERS)
    )


def _accept_all(_target: str) -> bool:
    return True  # the target check with its specific reasons is the intake's


def process_webmention(
    ctx: ReceiverContext, body: bytes, content_type: str, remote_addr: str, user_agent: str
) -> Response:
    """Validate and queue one webmention (synchronous: it may touch the database)."""
    try:
        request = parse_webmention_body(body, content_type, is_ours=_accept_all)
    except InvalidRequest as exc:
        return _text(exc.reason, exc.status)
    outcome = ctx.intake.accept(
        Protocol.WEBMENTION,
        request.source,
        request.target_as_sent or request.target,
        remote_addr=remote_addr,
        payload={"user_agent": user_agent[:300]},
    )
    headers = dict(SECURITY_HEADERS)
    if outcome.retry_after:
        headers["Retry-After"] = str(outcome.retry_after)
    if outcome.queued:
        return _text("Accepted: the webmention is queued for verification.", 202, headers)
    return _text(outcome.message, STATUS[outcome.verdict], headers)


def webmention_endpoint(ctx: ReceiverContext) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for ``POST /webmention``."""

    async def webmention(request: Request) -> Response:
        admission = await ctx.admit(request)
        if admission.refusal is not None:
            return _text(admission.message, admission.refusal.value, admission.headers)
        try:
            return await run_in_threadpool(
                process_webmention,
                ctx,
                admission.body,
                request.headers.get("content-type", ""),
                ctx.client(request),
                request.headers.get("user-agent", ""),
            )
        except Exception:
            log.exception("webmention from %s failed", ctx.client(request))
            return _text("internal error; please try again later", 500)

    return webmention
