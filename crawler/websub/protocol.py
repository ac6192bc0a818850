"""WebSub (W3C Recommendation, 2018) as pure functions: what a subscriber decides.

No I/O here: discovery reads a response the caller fetched, the verification answer and the
signature check are decisions over plain values, so every rule is tested on its own.

* Discovery (§4): the hub and the topic (``self``) come from the HTTP ``Link`` header first,
  else from ``<link rel="hub">`` / ``<atom:link rel="hub">`` in the feed or HTML document.
* Verification of intent (§5.3): a GET with ``hub.mode``, ``hub.topic``, ``hub.challenge``
  (and ``hub.lease_seconds``) is answered with the challenge only when it is for a
  subscription we asked for, with the same topic and the mode we asked; else 404.
* Authenticated content distribution (§7): ``X-Hub-Signature: method=hex`` is an HMAC of the
  raw body with the subscription's secret, method one of sha1, sha256, sha384, sha512.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

from crawler.linkbacks.discovery import parse_link_header

__all__ = [
    "Advertised",
    "Answer",
    "State",
    "advertised",
    "answer_verification",
    "due_for_renewal",
    "new_secret",
    "new_token",
    "sign",
    "signature_valid",
]

#: The HMAC methods WebSub names; anything else is refused.
METHODS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
           "sha512": hashlib.sha512}  # fmt: skip
_LINK_TAG = re.compile(r"<(?:[\w-]+:)?link\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
#: Discovery looks at the head of the document only (feeds put these links first).
DISCOVERY_BYTES = 65_536


class State(enum.StrEnum):
    SUBSCRIBING = "subscribing"
    ACTIVE = "active"
    UNSUBSCRIBING = "unsubscribing"
    UNSUBSCRIBED = "unsubscribed"
    DENIED = "denied"


@dataclass(frozen=True, slots=True)
class Advertised:
    hub: str
    topic: str


def _rels(params: Mapping[str, str]) -> set[str]:
    return {token.lower() for token in params.get("rel", "").split()}


def advertised(url: str, link_headers: Iterable[str], body: bytes) -> Advertised | None:
    """The hub and topic a fetched feed (or page) advertises, or None.

    Header links win over document links (§4); the topic is the ``self`` link, else the
    fetched URL. Relative references resolve against ``url``.
    """
    hub = topic = ""
    for value in link_headers:
        for uri, params in parse_link_header(value):
            rels = _rels(params)
            if "hub" in rels and not hub:
                hub = urljoin(url, uri)
            if "self" in rels and not topic:
                topic = urljoin(url, uri)
    if not hub:
        text = body[:DISCOVERY_BYTES].decode("utf-8", "replace")
        for match in _LINK_TAG.finditer(text):
            attrs = {m.group(1).lower(): m.group(2) or m.group(3) or "" for m in
                     _ATTR.finditer(match.group(1))}  # fmt: skip
            rels = _rels(attrs)
            href = attrs.get("href", "").strip()
            if not href:
                continue
            if "hub" in rels and not hub:
                hub = urljoin(url, href)
            if "self" in rels and not topic:
                topic = urljoin(url, href)
    if not hub.startswith(("http://", "https://")):
        return None
    return Advertised(hub=hub, topic=topic if topic.startswith(("http://", "https://")) else url)


def new_token() -> str:
    """The callback path segment: 256 bits, so a callback URL cannot be guessed."""
    return secrets.token_urlsafe(32)


def new_secret() -> str:
    """The HMAC secret given to the hub (WebSub caps it at 200 bytes)."""
    return secrets.token_urlsafe(48)


def sign(secret: str, body: bytes, method: str = "sha256") -> str:
    """The ``X-Hub-Signature`` value a hub sends for ``body`` (used by the local hub too)."""
    digest = hmac.new(secret.encode(), body, METHODS[method]).hexdigest()
    return f"{method}={digest}"


def signature_valid(header: str, body: bytes, secret: str) -> bool:
    """Whether ``X-Hub-Signature`` is a valid HMAC of ``body`` under ``secret``."""
    method, _, given = header.strip().partition("=")
    digest = METHODS.get(method.strip().lower())
    if digest is None or not given or not secret:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


@dataclass(frozen=True, slots=True)
class Answer:
    """How to answer a verification request, and what it does to the subscription."""

    status: int
    body: str = ""
    state: State | None = None
    """The subscription's new state, or None for no change."""
    lease_seconds: int = 0
    reason: str = ""


_EXPECTED_MODE = {State.SUBSCRIBING: "subscribe", State.ACTIVE: "subscribe",
                  State.UNSUBSCRIBING: "unsubscribe"}  # fmt: skip


def answer_verification(
    state: State | None, topic: str | None, params: Mapping[str, str], default_lease: int
) -> Answer:
    """The answer to a hub's GET on a callback (§5.3), for the subscription of that callback
    (``state``/``topic`` None when the callback is unknown).

    A subscription renews while active, so "subscribe" is expected then too. A "denied"
    notice (§5.2) for a subscription we asked for is acknowledged and recorded.
    """
    mode = params.get("hub.mode", "")
    if state is None or topic is None:
        return Answer(404, "unknown callback", reason="no such subscription")
    if params.get("hub.topic", "") != topic:
        return Answer(404, "unknown topic", reason=f"topic {params.get('hub.topic', '')!r}")
    if mode == "denied":
        if state is State.SUBSCRIBING:
            return Answer(200, "", State.DENIED, reason=params.get("hub.reason", "")[:300])
        return Answer(404, "not asked for", reason="denied for a subscription not asked for")
    if _EXPECTED_MODE.get(state) != mode:
        return Answer(404, "not asked for", reason=f"{mode or 'no'} mode while {state.value}")
    challenge = params.get("hub.challenge", "")
    if not challenge:
        return Answer(400, "hub.challenge missing", reason="no challenge")
    if mode == "unsubscribe":
        return Answer(200, challenge, State.UNSUBSCRIBED)
    lease_text = params.get("hub.lease_seconds", "")
    lease = int(lease_text) if lease_text.isdigit() else default_lease
    return Answer(200, challenge, State.ACTIVE, lease_seconds=lease)


def due_for_renewal(expires_at: datetime | None, now: datetime, before: timedelta) -> bool:
    """An active lease is renewed once it ends within ``before`` (or has no known end)."""
    return expires_at is None or expires_at - before <= now
