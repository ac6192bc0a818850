"""Pingback 1.0 over XML-RPC: ``POST /xmlrpc`` (and ``/xmlrpc.php``, where WordPress has it).

The body is parsed only by ``crawler.linkbacks.xmlrpc`` (defusedxml, DTDs and entities
refused), so a billion-laughs bomb or an external entity is answered with fault -32700 at
once, never expanded. Malformed calls get the xmlrpc-epi interoperability codes (-32700 not
XML, -32600 not XML-RPC, -32601 unknown method, -32602 wrong parameters); a well-formed
``pingback.ping(source, target)`` gets the Pingback 1.0 codes:

=======================================  =====
source not an http(s) URL                0x10
target not a URL at all                  0x20
target not one of our posts              0x21
source and target the same page          0 (as WordPress)
source blocked                           0x31
already verified                         0x30
source refused for a final reason lately 0x10 (the stored reason; no new fetch)
rate limited, or the queue is full       0 (with the wait in the string, Retry-After header)
=======================================  =====

Everything else is queued and answered with a success string. Fault 0x11 ("source does not
link to target") is never returned: the link is checked later, asynchronously, so that no
request from a stranger makes this server fetch anything (see docs/receiver.md).

Faults travel with HTTP 200, as XML-RPC requires; only transport problems use HTTP statuses
(413 body too large, 408 body too slow, 500 our own failure).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from crawler.domain import Protocol
from crawler.linkbacks.xmlrpc import (
    FAULT_ACCESS_DENIED,
    FAULT_ALREADY_REGISTERED,
    FAULT_GENERIC,
    FAULT_SOURCE_NOT_FOUND,
    FAULT_TARGET_INVALID,
    FAULT_TARGET_NOT_FOUND,
    INTERNAL_ERROR,
    INVALID_XMLRPC,
    XmlRpcError,
    parse_ping_call,
    render_fault,
    render_response,
)
from crawler.receiver.context import SECURITY_HEADERS, ReceiverContext, Refusal
from crawler.receiver.intake import Outcome, Verdict

__all__ = ["pingback_endpoint", "process_ping"]

log = logging.getLogger(__name__)

XML_TYPE = "text/xml; charset=utf-8"

FAULT_CODES: dict[Verdict, int] = {
    Verdict.INVALID_SOURCE: FAULT_SOURCE_NOT_FOUND,
    Verdict.INVALID_TARGET: FAULT_TARGET_NOT_FOUND,
    Verdict.FOREIGN_TARGET: FAULT_TARGET_INVALID,
    Verdict.NOT_A_POST: FAULT_TARGET_INVALID,
    Verdict.SAME_URL: FAULT_GENERIC,
    Verdict.BLOCKED: FAULT_ACCESS_DENIED,
    Verdict.RATE_LIMITED: FAULT_GENERIC,
    Verdict.ALREADY_REGISTERED: FAULT_ALREADY_REGISTERED,
    Verdict.FINAL: FAULT_SOURCE_NOT_FOUND,
    Verdict.QUEUE_FULL: FAULT_GENERIC,
}


def _xml(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body, status_code=status, media_type=XML_TYPE, headers=headers or dict(SECURITY_HEADERS)
    )


def process_ping(ctx: ReceiverContext, body: bytes, remote_addr: str, user_agent: str) -> Response:
    """Parse one XML-RPC call and answer it (synchronous: it may touch the database)."""
    try:
        source, target = parse_ping_call(body)
    except XmlRpcError as exc:
        return _xml(render_fault(exc.code, exc.message))
    outcome: Outcome = ctx.intake.accept(
        Protocol.PINGBACK,
        source,
        target,
        remote_addr=remote_addr,
        payload={"user_agent": user_agent[:300]},
        refuse_verified=True,
    )
    if outcome.queued:
        return _xml(
            render_response(f"Pingback from {source} to {outcome.target} queued for verification.")
        )
    headers = dict(SECURITY_HEADERS)
    if outcome.retry_after:
        headers["Retry-After"] = str(outcome.retry_after)
    return _xml(render_fault(FAULT_CODES[outcome.verdict], outcome.message), headers=headers)


def pingback_endpoint(ctx: ReceiverContext) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for ``POST /xmlrpc``."""

    async def xmlrpc(request: Request) -> Response:
        admission = await ctx.admit(request)
        if admission.refusal is Refusal.RATE_LIMITED:
            return _xml(render_fault(FAULT_GENERIC, admission.message), headers=admission.headers)
        if admission.refusal is not None:
            status = admission.refusal.value
            fault = render_fault(INVALID_XMLRPC, admission.message)
            return _xml(fault, status=status, headers=admission.headers)
        try:
            return await run_in_threadpool(
                process_ping,
                ctx,
                admission.body,
                ctx.client(request),
                request.headers.get("user-agent", ""),
            )
        except Exception:
            log.exception("pingback from %s failed", ctx.client(request))
            fault = render_fault(INTERNAL_ERROR, "internal error; please try again later")
            return _xml(fault, status=500)

    return xmlrpc
