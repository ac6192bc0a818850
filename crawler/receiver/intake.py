"""The one decision every protocol shares: may this (source, target) be queued?

Pingback, Webmention and TrackBack differ only in how a request is spelled and how the answer
is spelled. Whether to accept it is the same question each time, answered here in one order:

1. the source is an absolute http(s) URL (a sender mistake, said so), of printable
   characters, and not an IP literal the address guard refuses (a final answer, at once);
2. the target is one of our posts (``Policy.check_target``: not a URL / another site's page /
   a page of ours that is not a post);
3. source and target are not the same page (after canonicalisation);
4. the source is not blocked (domain, parent domain or URL; config and database);
5. the source's site has not sent too much this minute (per-sender rate limit, keyed on the
   registrable domain of ``crawler.matching.sites``, so six subdomains are one sender);
6. for protocols without updates (Pingback, TrackBack), the same link is not already verified;
7. a receipt already rejected for a final reason (``decide.is_final_rejection``) less than
   ``receiver.final_recheck_after_hours`` ago is answered from its row: no new fetch;
8. a new entry in the queue fits under the per-sender, the per-target and the global cap
   (else 429 with a Retry-After of the time the verify runs need to drain the excess); the
   per-sender cap keeps one sender from filling the global queue for everybody;
9. queue the receipt (an upsert on (protocol, source, canonical target)); a re-send of a
   receipt still queued keeps its attempts, backoff and place (``storage.receipts``).

Nothing here fetches anything: verification happens later, outside the request path, so the
receiver can never be used to make this machine request a URL chosen by a stranger. The
receipt remembers whether the same link had been verified before (``was_verified`` in its
payload), which the verifier needs to tell "link removed" (delete the mention) from "never
linked" (reject the receipt): see ``crawler.receiver.decide``.
"""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from crawler.domain import Protocol, ReceiptState
from crawler.linkbacks.urls import is_http_url
from crawler.matching.sites import site_of
from crawler.matching.urls import canonicalize_url
from crawler.receiver.decide import WAS_VERIFIED, is_final_rejection
from crawler.receiver.limits import RateLimiter
from crawler.receiver.policy import MAX_URL_LENGTH, Policy, TargetProblem, host_of
from crawler.storage.db import session_scope
from crawler.storage.receipts import find_receipt, queue_receipt, queued_counts

__all__ = ["Intake", "Outcome", "QueueLimits", "Verdict", "drain_wait"]

log = logging.getLogger(__name__)


NOT_URL_TEXT = (
    "source contains a replacement, control or invisible character; percent-encode it as UTF-8"
)


def _is_url_text(url: str) -> bool:
    """Printable characters only, and no U+FFFD.

    All three protocols reach here with text already decoded (form fields, XML-RPC strings).
    An IRI (``https://n.example/café``) is a URL a person can send; a U+FFFD means bytes were
    lost in decoding, and control or invisible characters (zero-width, bidi overrides) make a
    URL that looks like another one. Storing either would record a URL nobody sent.
    """
    return url.isprintable() and "\ufffd" not in url


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
    FINAL = "final"  # settled for a final reason recently: the stored answer, no new fetch
    QUEUE_FULL = "queue-full"


#: Receipts one verify run drains (``storage.receipts.due_receipts``) and how often it runs by
#: default: what the Retry-After of a full queue is computed from.
DRAIN_PER_RUN = 200
DRAIN_SECONDS = 60


_TARGET_VERDICTS = {
    TargetProblem.INVALID: Verdict.INVALID_TARGET,
    TargetProblem.FOREIGN: Verdict.FOREIGN_TARGET,
    TargetProblem.NOT_A_POST: Verdict.NOT_A_POST,
}


@dataclass(frozen=True, slots=True)
class QueueLimits:
    """The bounds of the receipt queue (``[receiver]`` in the config)."""

    max_queued: int = 20_000
    max_queued_per_target: int = 500
    max_queued_per_sender: int = 1_000
    expire_after: timedelta = timedelta(hours=48)
    final_recheck_after: timedelta = timedelta(hours=24)


def drain_wait(excess: int) -> int:
    """Seconds until the verify runs have drained ``excess`` receipts (1 minute to 1 hour)."""
    runs = max(1, math.ceil(excess / DRAIN_PER_RUN))
    return min(3600, runs * DRAIN_SECONDS)


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
        queue: QueueLimits | None = None,
    ) -> None:
        self._engine = engine
        self._policy = policy
        self._domains = domain_limiter
        self._clock = clock
        self._queue = queue or QueueLimits()

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
        if not _is_url_text(source):
            return Outcome(Verdict.INVALID_SOURCE, NOT_URL_TEXT)
        refusal = self._policy.address_refusal(source)
        if refusal:
            return Outcome(Verdict.FINAL, f"the source cannot be fetched: {refusal}")
        check = self._policy.check_target(target)
        if check.post is None:
            problem = check.problem or TargetProblem.FOREIGN
            return Outcome(_TARGET_VERDICTS[problem], problem.value)
        post = check.post
        if canonicalize_url(source) == post:
            return Outcome(Verdict.SAME_URL, "source and target are the same URL", target=post)
        if self._policy.is_blocked(source, check.org):
            return Outcome(Verdict.BLOCKED, "access denied: the source is blocked", target=post)
        sender = site_of(host_of(source))
        wait = self._domains.hit(sender)
        if wait:
            return Outcome(
                Verdict.RATE_LIMITED,
                f"too many linkbacks from {sender}; retry in {wait} seconds",
                target=post,
                retry_after=wait,
            )
        return self._enqueue(
            protocol, source, target, post, remote_addr, payload, refuse_verified, sender, check.org
        )

    def _enqueue(
        self,
        protocol: Protocol,
        source: str,
        target_as_sent: str,
        post: str,
        remote_addr: str,
        payload: dict[str, Any] | None,
        refuse_verified: bool,
        sender: str,
        org: str,
    ) -> Outcome:
        now = self._clock()
        limits = self._queue
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
            if (
                existing is not None
                and is_final_rejection(existing.state, existing.reason)
                and existing.updated_at is not None
                and now - existing.updated_at < limits.final_recheck_after
            ):
                return Outcome(
                    Verdict.FINAL,
                    f"the source was checked and refused: {existing.reason[:200]}",
                    receipt_id=existing.id,
                    target=post,
                )
            waiting = (
                existing is not None
                and existing.state == ReceiptState.QUEUED.value
                and (existing.expires_at is None or existing.expires_at > now)
            )
            if not waiting:  # a new entry in the queue: it must fit under the caps
                counts = queued_counts(session, post, now, sender)
                excess = max(
                    counts.total - limits.max_queued + 1,
                    counts.for_target - limits.max_queued_per_target + 1,
                    counts.for_sender - limits.max_queued_per_sender + 1,
                )
                if excess > 0:
                    wait = drain_wait(excess)
                    log.debug("receipt queue full (%d queued); refusing %s", counts.total, source)
                    return Outcome(
                        Verdict.QUEUE_FULL,
                        f"too many linkbacks waiting for verification; retry in {wait} seconds",
                        target=post,
                        retry_after=wait,
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
                sender=sender,
                expires_at=now + limits.expire_after,
                org=org,
            )
        log.info("queued %s receipt %d: %s -> %s", protocol.value, queued.id, source, post)
        return Outcome(
            Verdict.QUEUED,
            f"{protocol.value} from {source} to {post} queued for verification",
            receipt_id=queued.id,
            target=post,
        )
