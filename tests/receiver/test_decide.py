"""``decide``: verification outcome -> receipt state and mention action, as a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from crawler.domain import MentionKind, ReceiptState
from crawler.linkbacks.verify import Verification
from crawler.receiver.decide import (
    WAS_VERIFIED,
    Decision,
    decide,
    is_final_rejection,
    is_transient,
)

TARGET = "https://blog.example.org/2024/05/first-post/"


@dataclass(frozen=True)
class Receipt:
    protocol: str
    state: str = "queued"
    target: str = TARGET
    payload: dict[str, Any] = field(default_factory=dict)


LINKED = Verification(linked=True, deleted=False, title="A reply")
GONE = Verification(linked=False, deleted=True)
NO_LINK = Verification(linked=False, deleted=False, title="Unrelated")
REBLOG = Verification(
    linked=True, deleted=False, reblog_of="http://www.blog.example.org/2024/05/first-post"
)
OTHER_REBLOG = Verification(linked=True, deleted=False, reblog_of="https://else.example/p/")


def problem(text: str) -> Verification:
    return Verification(linked=False, deleted=False, problem=text)


NEW: dict[str, Any] = {}
RESENT = {WAS_VERIFIED: True}
V, R, Q = ReceiptState.VERIFIED, ReceiptState.REJECTED, ReceiptState.QUEUED
PB, WM, TB = MentionKind.PINGBACK, MentionKind.WEBMENTION, MentionKind.TRACKBACK

CASES = [
    # receipt (protocol, state, payload), verification -> state, kind, delete, reason contains
    (("pingback", "queued", NEW), LINKED, V, PB, False, "links"),
    (("webmention", "queued", NEW), LINKED, V, WM, False, "links"),
    (("trackback", "queued", NEW), LINKED, V, TB, False, "links"),
    (("webmention", "queued", NEW), REBLOG, V, MentionKind.REBLOG, False, "reblog"),
    (("webmention", "queued", NEW), OTHER_REBLOG, V, WM, False, "links"),
    (("webmention", "queued", NEW), NO_LINK, R, None, False, "does not link"),
    (("webmention", "queued", RESENT), NO_LINK, R, WM, True, "no longer links"),
    (("pingback", "verified", NEW), NO_LINK, R, PB, True, "no longer links"),  # a re-check
    (("webmention", "queued", NEW), GONE, R, WM, True, "410"),
    (("webmention", "queued", RESENT), GONE, R, WM, True, "410"),
    (("webmention", "queued", RESENT), problem("HTTP 503"), Q, None, False, "503"),
    (("webmention", "queued", RESENT), problem("timed out after 5 s"), Q, None, False, "timed"),
    (("pingback", "queued", NEW), problem("HTTP 429"), Q, None, False, "429"),
    (("pingback", "queued", NEW), problem("connection refused"), Q, None, False, "refused"),
    (
        ("pingback", "queued", NEW),
        problem("address guard: 10.0.0.1 is private"),
        R,
        None,
        False,
        "guard",
    ),
    (("pingback", "queued", RESENT), problem("body too large (aborted)"), R, None, False, "large"),
    (("trackback", "queued", NEW), problem("disallowed by robots.txt"), R, None, False, "robots"),
    (("trackback", "queued", NEW), problem("too many redirects"), R, None, False, "redirects"),
    (("webmention", "queued", RESENT), problem("HTTP 404"), R, None, False, "404"),
    (
        ("webmention", "queued", NEW),
        problem("unsupported type application/pdf"),
        R,
        None,
        False,
        "pdf",
    ),
    (("webmention", "queued", RESENT), problem("DNS lookup failed"), Q, None, False, "DNS"),
]


@pytest.mark.parametrize(("receipt", "verification", "state", "kind", "delete", "reason"), CASES)
def test_decision_table(
    receipt: tuple[str, str, dict[str, Any]],
    verification: Verification,
    state: ReceiptState,
    kind: MentionKind | None,
    delete: bool,
    reason: str,
) -> None:
    protocol, receipt_state, payload = receipt
    decision = decide(Receipt(protocol, receipt_state, payload=payload), verification)
    assert (decision.state, decision.mention_kind, decision.delete_existing) == (
        state,
        kind,
        delete,
    )
    assert reason in decision.reason
    assert decision.retry == (state is Q)


def test_a_transient_failure_never_deletes() -> None:
    for text in ("HTTP 500", "HTTP 502", "HTTP 504", "HTTP 408", "read timeout", "reset by peer"):
        decision = decide(Receipt("webmention", "verified", payload=RESENT), problem(text))
        assert decision == Decision(Q, text)
        assert is_transient(text)


def test_unknown_protocol_is_a_plain_link() -> None:
    assert decide(Receipt("carrier-pigeon"), LINKED).mention_kind is MentionKind.LINK


@pytest.mark.parametrize(
    ("problem_text", "transient"),
    [
        ("HTTP 408", True),
        ("HTTP 429", True),
        ("HTTP 500", True),
        ("HTTP 503", True),
        ("HTTP 404", False),
        ("HTTP 403", False),
        ("HTTP 451", False),
        ("timeout", True),
        ("DNS error", True),
        ("connection refused", True),
        ("ignored: host blocked until 2026-12-06T12:00:00+00:00 (Retry-After)", True),
        ("address guard: 10.0.0.1 is a private address", False),
        ("body too large (aborted)", False),
        ("body too large (decompressed)", False),
        ("unsupported type application/pdf", False),
        ("too many redirects", False),
        ("disallowed by robots.txt", False),
        ("bad URL: Invalid IPv6 URL", False),
        ("ignored: something our downloader refused", False),
        ("something nobody foresaw", True),
    ],
)
def test_final_vs_transient_table(problem_text: str, transient: bool) -> None:
    assert is_transient(problem_text) is transient


@pytest.mark.parametrize(
    ("state", "reason", "final"),
    [
        ("rejected", "address guard: 10.0.0.1 is a private address", True),
        ("rejected", "body too large (decompressed)", True),
        ("rejected", "HTTP 404", True),
        ("rejected", "gave up: HTTP 503", True),
        ("rejected", "expired: not verified in time (queue too long)", False),
        ("rejected", "source does not link to target", False),
        ("rejected", "source no longer links to target", False),
        ("rejected", "source is gone (410)", False),
        ("verified", "source links to target", False),
        ("queued", "HTTP 404", False),
    ],
)
def test_final_rejections(state: str, reason: str, final: bool) -> None:
    assert is_final_rejection(state, reason) is final
