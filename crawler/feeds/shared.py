"""One fetch of a feed for every organisation that watches it (#16): the pure rules.

Several organisations in one database may watch the same feed URL, each with its own source
row and poll state. When one organisation's poll fetched the feed a moment ago, another's poll
due now takes that fetch (status, validators, body) from storage instead of asking the server
again, then parses, stores and matches it for itself exactly as if it had fetched it.

What may be reused, and how it answers, is decided here (storage and the downloader
middleware only carry the bytes):

* only a full response (200, with its body) is kept; a failure is not shared (a Retry-After
  already is, through the ``hosts`` table), and a response served from storage is never stored
  again, so the window cannot be stretched by organisations serving each other;
* it is used while it is at most ``window`` seconds old by the reader's clock (a fetch stamped
  in the reader's future, from a run on another simulated clock, is not used);
* a 304 only proves that the validators *sent* still name the current body. So a 304 answered
  to organisation A renews the kept body only when A sent the very validators that body came
  with; and organisation B, whose poll is served from storage, gets a 304 only when *its*
  validators name the kept body (``If-None-Match`` against its ETag, else ``If-Modified-Since``
  against its Last-Modified, as a server compares them), else the body itself. B's entries
  then follow the body, never A's validators: a 304 for A says nothing about what B stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: The response headers kept with a body: what the feed spider and the poll policy read.
KEPT_HEADERS = (
    "content-type",
    "content-language",
    "etag",
    "last-modified",
    "cache-control",
    "expires",
    "link",
)
#: How long a kept fetch may be useful to anyone: the largest window the config allows.
MAX_WINDOW_SECONDS = 86400


@dataclass(frozen=True, slots=True)
class KeptFetch:
    """One fetch of a feed URL as kept for the other organisations.

    ``status`` 200 carries the body and the validators it came with; 304 carries the
    validators that were *sent* and answered "not modified" (it renews a kept 200 with the
    same validators, and is never served itself)."""

    url: str
    """The URL requested (before redirects): the key, with the fetch profile."""
    status: int
    fetched_at: datetime
    org: str = ""
    final_url: str = ""
    redirects: tuple[tuple[str, int], ...] = ()
    """Each redirect followed: (URL redirected from, status)."""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    body: bytes = b""


def kept_headers(headers: dict[str, str]) -> dict[str, str]:
    """The headers worth keeping (lower-case names); never encodings, lengths or cookies:
    the kept body is already decoded."""
    return {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS and v}


def usable(fetched_at: datetime, now: datetime, window_seconds: float) -> bool:
    """Whether a fetch made at ``fetched_at`` may serve a poll at ``now``."""
    if window_seconds <= 0:
        return False
    age = now - fetched_at
    return timedelta(0) <= age <= timedelta(seconds=window_seconds)


def _opaque(etag: str) -> str:
    """An entity tag for weak comparison (RFC 9110 8.8.3.2): ``W/"x"`` equals ``"x"``."""
    value = etag.strip()
    return value[2:] if value.startswith("W/") else value


def names_body(kept_etag: str, kept_last_modified: str, sent_etag: str, sent_since: str) -> bool:
    """Whether conditional validators ``sent_*`` name the body kept with ``kept_*``, as the
    server decides: ``If-None-Match`` wins when sent; ``If-Modified-Since`` counts only when
    it is the very Last-Modified of the body (never a guess from dates)."""
    if sent_etag:
        sent = {_opaque(t) for t in sent_etag.split(",") if t.strip()}
        return bool(kept_etag) and (_opaque(kept_etag) in sent or "*" in sent)
    return bool(sent_since) and sent_since.strip() == kept_last_modified.strip()


def answer(kept: KeptFetch, sent_etag: str, sent_since: str) -> int:
    """The status a poll gets from a kept 200: 304 when its validators name the kept body,
    else 200 with the body."""
    if names_body(kept.etag, kept.last_modified, sent_etag, sent_since):
        return 304
    return 200


def renews(kept: KeptFetch, confirmation: KeptFetch) -> bool:
    """Whether a 304 (``confirmation``: the validators that were sent) proves ``kept`` is
    still the current body, so its time moves on to the 304's."""
    if kept.status != 200 or confirmation.status != 304:
        return False
    if confirmation.fetched_at <= kept.fetched_at:
        return False
    return names_body(kept.etag, kept.last_modified, confirmation.etag, confirmation.last_modified)
