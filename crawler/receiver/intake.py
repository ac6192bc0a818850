"""The one decision every protocol shares: may this (source, target) be queued?

Pingback, Webmention and TrackBack differ only in how a request is spelled and how the answer
is spelled. Whether to accept it is the same question each time, answered here in one order:

1. the source is an absolute http(s) URL (a sender mistake, said so);
2. the target is one of our posts (``Policy.check_target``: not a URL / another site's page /
   a page of ours that is not a post);
3. source and target are not the same page (after canonicalisation);
4. the source is not blocked (domain, parent domain or URL; config and database);
5. the source's host has not sent too much this minute (per-domain rate limit);
6. for protocols without updates (Pingback, TrackBack), the same link is not already verified;
7. queue the receipt (an upsert on (protocol, source, canonical target)).

Nothing here fetches anything: verification happens later, outside the request path, so the
receiver can never be used to make this machine request a URL chosen by a stranger. The
receipt remembers whether the same link had been verified before (``was_verified`` in its
payload), which the verifier needs to tell "link removed" (delete the mention) from "never
linked" (reject the receipt): see ``crawler.receiver.decide``.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from crawler.domain import Protocol, ReceiptState
from crawler.linkbacks.urls import is_http_url
from crawler.matching.urls import canonicalize_url
from crawler.receiver.decide import WAS_VERIFIED
from crawler.receiver.limits import RateLimiter
from crawler.receiver.policy import MAX_URL_LENGTH, Policy, TargetProblem, host_of
from crawler.storage.db import session_scope
from crawler.storage.receipts import find_receipt, queue_receipt

__all__ = ["Intake", "Outcome", "Verdict"]

log = logging.getLogger(__name__)


NOT_ASCII = "source must be an ASCII URL: percent-encode other characters as UTF-8"


def _is_uri_text(url: str) -> bool:
    """Printable ASCII only, as RFC 3986 spells a URI.

    All three protocols reach here with text already decoded (form fields, XML-RPC strings):
    a U+FFFD, a control character or any other non-ASCII character means the sender did not
    send a URI, and storing a guess would record a URL nobody sent.
    """
    return url.isascii() and url.isprintable()


class Verdict(enum.StrEnum):
    QUEUED = "queued"
    INVALID_SOURCE = "invalid-source"
    INVALID_TARGET = "invalid-target"  # not a URL: it cannot be one of our pages
    FOREIGN_TARGET = "foreign-target"  # another site's page
    NOT_A_POST = "not-a-post"  # our site, but not a post we know
    SAME_URL = "same-url"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate-limited"
    ALREADY_REGISTERED = "already-registered"


_TARGET_VERDICTS = {
    TargetProblem.INVALID: Verdict.INVALID_TARGET,
    TargetProblem.FOREIGN: Verdict.FOREIGN_TARGET,
    TargetProblem.NOT_A_POST: Verdict.NOT_A_POST,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one request; ``message`` is safe to show the sender."""

    verdict: Verdict
    message: str
    receipt_id: int | None = None
    target: str = ""  # the canonical post URL, once known
    retry_after: int = 0  # seconds, for RATE_LIMITED

    @property
    def queued(self) -> bool:
        return self.verdict is Verdict.QUEUED


class Intake:
    """Applies the acceptance rules and queues receipts (synchronous: call it off the loop)."""

    def __init__(
        self,
        engine: Engine,
        policy: Policy,
        domain_limiter: RateLimiter,
        clock: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._policy = policy
        self._domains = domain_limiter
        self._clock = clock

    def accept(
        self,
        protocol: Protocol,
        source: str,
        target: str,
        *,
        remote_addr: str = "",
        payload: dict[str, Any] | None = None,
        refuse_verified: bool = False,
    ) -> Outcome:
        """Check one linkback and queue it; see the module docstring for the order."""
        source = source.strip()
        if (
            len(source) > MAX_URL_LENGTH
            or not is_http_url(source)
            or any(c.isspace() for c in source)
        ):
            return Outcome(Verdict.INVALID_SOURCE, "source is not an http(s) URL")
        if not _is_uri_text(source):
            return Outcome(Verdict.INVALID_SOURCE, NOT_ASCII)
        check = self._policy.check_target(target)
        if check.post is None:
            problem = check.problem or TargetProblem.FOREIGN
            return Outcome(_TARGET_VERDICTS[problem], problem.value)
        post = check.post
        if canonicalize_url(source) == post:
            return Outcome(Verdict.SAME_URL, "source and target are the same URL", target=post)
        if self._policy.is_blocked(source):
            return Outcome(Verdict.BLOCKED, "access denied: the source is blocked", target=post)
        wait = self._domains.hit(host_of(source))
        if wait:
            return Outcome(
                Verdict.RATE_LIMITED,
                f"too many linkbacks from {host_of(source)}; retry in {wait} seconds",
                target=post,
                retry_after=wait,
            )
        return self._queue(protocol, source, target, post, remote_addr, payload, refuse_verified)

    def _queue(
        self,
        protocol: Protocol,
        source: str,
        target_as_sent: str,
        post: str,
        remote_addr: str,
        payload: dict[str, Any] | None,
        refuse_verified: bool,
    ) -> Outcome:
        now = self._clock()
        with session_scope(self._engine) as session:
            existing = find_receipt(session, protocol, source, post)
            was_verified = existing is not None and (
                existing.state == ReceiptState.VERIFIED.value
                or (
                    existing.state == ReceiptState.QUEUED.value
                    and bool((existing.payload or {}).get(WAS_VERIFIED))
                )
            )
            if (
                refuse_verified
                and existing is not None
                and existing.state == ReceiptState.VERIFIED.value
            ):
                return Outcome(
                    Verdict.ALREADY_REGISTERED,
                    "the linkback has already been registered",
                    receipt_id=existing.id,
                    target=post,
                )
            data = {
                **(payload or {}),
                "target_as_sent": target_as_sent.strip(),
                WAS_VERIFIED: was_verified,
            }
            queued = queue_receipt(
                session,
                protocol,
                source,
                post,
                now=now,
                remote_addr=remote_addr[:64],
                payload=data,
            )
        log.info("queued %s receipt %d: %s -> %s", protocol.value, queued.id, source, post)
        return Outcome(
            Verdict.QUEUED,
            f"{protocol.value} from {source} to {post} queued for verification",
            receipt_id=queued.id,
            target=post,
        )
