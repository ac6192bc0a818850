"""What a verified (or failed) source check means for a receipt and its mention.

The receiver only queues; the verify run later fetches each receipt's source (through Scrapy
and the address guard) and runs ``crawler.linkbacks.verify.verify_source``. This module is
the pure policy between that ``Verification`` and the database, kept apart so every rule is
a row in a table test:

================================================  ==========  ===================  ======
source check                                      receipt     mention kind         delete
================================================  ==========  ===================  ======
links to the target                               verified    protocol's (reblog   no
                                                              when it reblogs it)
410 Gone, or a "410 Gone" meta tombstone          rejected    protocol's           yes
no link, and this link was verified before (a    rejected    protocol's           yes
re-sent or re-checked receipt)
no link, never verified                           rejected    —                    no
transient problem (5xx, 408, 429, timeout, ...)   queued      —                    no
permanent problem (4xx, unsupported type, ...)    rejected    —                    no
================================================  ==========  ===================  ======

"Delete" means: mark the stored mention(s) from this source to this target deleted
(Webmention §3.2.4 updates and deletes; linkbacks.md case 39). A transient failure never
deletes anything and keeps the receipt queued for a later attempt (case 40, where we differ
from webmention.io); the caller uses ``retry_receipt_later``, which gives up after a few tries
without touching the mention. A permanent problem other than 410 (a 404, a PDF) rejects the
receipt but leaves an existing mention alone: it is not evidence that the link was removed.

Problems are the free-text ``Verification.problem`` strings (labels from
``crawler.fetching.errors`` and ``crawler.linkbacks.verify``). ``FAILURES`` below is the
final-vs-transient table, first matching row wins (docs/receiver.md has it too):

==========================================  =========  ====================================
problem                                     kind       why
==========================================  =========  ====================================
HTTP 408, HTTP 425, HTTP 429                transient  the server asks us to come back
HTTP 5xx                                    transient  the server's own trouble
HTTP 4xx (other)                            final      the sender's page is not there
host blocked until ... (Retry-After)        transient  a 429/503 earlier in the run
timeout, DNS error, connection ...          transient  the network
address guard: ...                          final      the address is not ours to fetch
body too large (aborted / decompressed)     final      size limit; a gzip bomb stays one
unsupported type, invalid JSON              final      the same bytes come back next time
too many redirects, redirect loop           final
disallowed by robots.txt, bad URL           final
ignored: ... (any other refusal)            final      our own downloader said no
anything else                               transient  cheaper to retry than to lose it
==========================================  =========  ====================================

A transient problem is retried with backoff (5, 15, 45 min, 2 h 15) until ``MAX_ATTEMPTS``;
a final one settles the receipt at once, and a re-send of a receipt settled by a final
problem is answered from the stored state without a new fetch
(``crawler.receiver.intake``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from crawler.domain import MentionKind, ReceiptState
from crawler.domain import Protocol as LinkbackProtocol
from crawler.matching.urls import canonicalize_url

if TYPE_CHECKING:  # only its fields are read; importing it would pull in the HTML stack
    from crawler.linkbacks.verify import Verification

__all__ = [
    "FAILURES",
    "GAVE_UP",
    "WAS_VERIFIED",
    "Decision",
    "ReceiptLike",
    "decide",
    "is_final_rejection",
    "is_transient",
]

WAS_VERIFIED = "was_verified"
"""Receipt payload key set by the receiver: this (protocol, source, target) had been verified
before the request that queued it again (a Webmention update or delete)."""

_KINDS = {
    LinkbackProtocol.PINGBACK: MentionKind.PINGBACK,
    LinkbackProtocol.WEBMENTION: MentionKind.WEBMENTION,
    LinkbackProtocol.TRACKBACK: MentionKind.TRACKBACK,
}
_HTTP = re.compile(r"\bHTTP\s+(\d{3})\b", re.IGNORECASE)
_TRANSIENT_STATUSES = frozenset({408, 425, 429})

#: (phrase in the lower-cased problem, transient?) - first match wins; see the module table.
FAILURES: tuple[tuple[str, bool], ...] = (
    ("retry-after", True),
    ("host blocked", True),
    ("timeout", True),
    ("dns error", True),
    ("connection", True),
    ("address guard", False),
    ("body too large", False),
    ("unsupported type", False),
    ("invalid json", False),
    ("not canonicalisable", False),
    ("too many redirects", False),
    ("redirect loop", False),
    ("disallowed by robots", False),
    ("bad url", False),
    ("ignored", False),
)


class ReceiptLike(Protocol):
    """What ``decide`` reads of a receipt (``crawler.storage.models.ReceiptRow`` fits)."""

    @property
    def protocol(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def target(self) -> str: ...

    @property
    def payload(self) -> Mapping[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class Decision:
    state: ReceiptState
    """``queued`` means: keep it queued and try again later."""
    reason: str
    mention_kind: MentionKind | None = None
    """The kind to record (verified) or to mark deleted (delete_existing); else None."""
    delete_existing: bool = False

    @property
    def retry(self) -> bool:
        return self.state is ReceiptState.QUEUED


def is_transient(problem: str) -> bool:
    """Whether a verification problem may go away by itself (so: retry, keep the mention)."""
    match = _HTTP.search(problem)
    if match:
        status = int(match.group(1))
        return status >= 500 or status in _TRANSIENT_STATUSES
    lowered = problem.lower()
    for phrase, transient in FAILURES:
        if phrase in lowered:
            return transient
    return True


GAVE_UP = "gave up: "
EXPIRED = "expired: "
_CONTENT_VERDICTS = frozenset(
    {
        "source links to target",
        "source reblogs the target",
        "source is gone (410)",
        "source no longer links to target",
        "source does not link to target",
    }
)


def is_final_rejection(state: str, reason: str) -> bool:
    """A receipt settled so that fetching its source again would change nothing soon.

    True for a final fetch problem (the table above) and for a receipt that used up its
    retries; false for a verdict on the source's content (no link, 410), because a re-sent
    webmention is how a sender says "look again", and for a receipt that expired in the
    queue, which was never checked at all.
    """
    if state != ReceiptState.REJECTED.value or reason in _CONTENT_VERDICTS:
        return False
    if reason.startswith(EXPIRED):
        return False
    if reason.startswith(GAVE_UP):
        return True
    return not is_transient(reason)


def _kind(receipt: ReceiptLike) -> MentionKind:
    try:
        return _KINDS[LinkbackProtocol(receipt.protocol)]
    except ValueError:
        return MentionKind.LINK


def _same(a: str, b: str) -> bool:
    return canonicalize_url(a) == canonicalize_url(b)


def decide(receipt: ReceiptLike, verification: Verification) -> Decision:
    """The receipt's next state and what to do with its mention (see the module table)."""
    kind = _kind(receipt)
    was_verified = receipt.state == ReceiptState.VERIFIED.value or bool(
        (receipt.payload or {}).get(WAS_VERIFIED)
    )
    if verification.linked:
        if verification.reblog_of and _same(verification.reblog_of, receipt.target):
            return Decision(ReceiptState.VERIFIED, "source reblogs the target", MentionKind.REBLOG)
        return Decision(ReceiptState.VERIFIED, "source links to target", kind)
    if verification.deleted:
        return Decision(ReceiptState.REJECTED, "source is gone (410)", kind, delete_existing=True)
    if verification.problem:
        if is_transient(verification.problem):
            return Decision(ReceiptState.QUEUED, verification.problem)
        return Decision(ReceiptState.REJECTED, verification.problem)
    if was_verified:
        return Decision(
            ReceiptState.REJECTED, "source no longer links to target", kind, delete_existing=True
        )
    return Decision(ReceiptState.REJECTED, "source does not link to target")
