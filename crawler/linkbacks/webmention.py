"""Synchronous request verification for incoming webmentions (W3C Webmention §3.2.1).

Before a webmention is queued, the receiver must answer 400 to a request the sender got
wrong: missing ``source`` or ``target``, URLs that are not http(s) with a host, a source equal
to its target, a target that is not one of ours. Those checks need no network and are kept
here, pure, so the receiver's HTTP layer only maps ``InvalidRequest`` to a 400 and everything
else to 202. The fragment of the target is ignored for the "is it ours" check and dropped from
the stored target (a link to ``/post/1#comment-3`` is a mention of ``/post/1``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.linkbacks.urls import defrag

__all__ = [
    "FORM_CONTENT_TYPE",
    "InvalidRequest",
    "WebmentionRequest",
    "build_webmention_body",
    "parse_webmention_body",
    "validate_webmention",
]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_URL_LENGTH = 2048
MAX_BODY_BYTES = 16_384


@dataclass(frozen=True, slots=True)
class WebmentionRequest:
    source: str
    target: str  # without fragment
    target_as_sent: str = ""


class InvalidRequest(ValueError):
    """A request the sender got wrong: answer HTTP 400 with ``reason``.

    ``code`` is a short machine-readable token (in the style of webmention.io's errors).
    """

    status = 400

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _check_url(value: str, name: str) -> str:
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        raise InvalidRequest(f"invalid_{name}", f"{name} is longer than {MAX_URL_LENGTH}")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise InvalidRequest(f"invalid_{name}", f"{name} contains whitespace or control chars")
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError as exc:
        raise InvalidRequest(f"invalid_{name}", f"{name} is not a valid URL") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidRequest(f"invalid_{name}", f"{name} must be an http or https URL")
    if not parts.hostname:
        raise InvalidRequest(f"invalid_{name}", f"{name} has no host")
    return value


def validate_webmention(
    form: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    is_ours: Callable[[str], bool],
) -> WebmentionRequest:
    """Check a webmention's ``source`` and ``target``; ``InvalidRequest`` for a 400.

    ``form`` is the decoded form (a mapping, or pairs where the first value of a repeated
    name wins). ``is_ours`` says whether a target (fragment removed) is a resource we accept
    webmentions for.
    """
    pairs = form.items() if isinstance(form, Mapping) else form
    values: dict[str, str] = {}
    for name, value in pairs:
        values.setdefault(name, value)
    source_raw, target_raw = values.get("source", ""), values.get("target", "")
    if not source_raw.strip() and not target_raw.strip():
        raise InvalidRequest("missing_parameters", "source and target are required")
    if not source_raw.strip():
        raise InvalidRequest("missing_source", "source is required")
    if not target_raw.strip():
        raise InvalidRequest("missing_target", "target is required")
    source = _check_url(source_raw, "source")
    target_as_sent = _check_url(target_raw, "target")
    target = defrag(target_as_sent)
    if defrag(source) == target:
        raise InvalidRequest("source_equals_target", "source and target are the same URL")
    if not is_ours(target):
        raise InvalidRequest("target_not_supported", "target is not a resource of this site")
    return WebmentionRequest(source=source, target=target, target_as_sent=target_as_sent)


def parse_webmention_body(
    body: bytes,
    content_type: str | None,
    *,
    is_ours: Callable[[str], bool],
) -> WebmentionRequest:
    """Validate a raw request body: it must be form-encoded (else 400), then as above."""
    mtype = (content_type or "").split(";", 1)[0].strip().lower()
    if mtype != FORM_CONTENT_TYPE:
        raise InvalidRequest("invalid_content_type", f"Content-Type must be {FORM_CONTENT_TYPE}")
    if len(body) > MAX_BODY_BYTES:
        raise InvalidRequest("request_too_large", "request body too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest("invalid_encoding", "request body is not UTF-8") from exc
    try:
        # errors="strict": a percent-encoded byte sequence that is not UTF-8 (``%FF``) is the
        # sender's mistake, not something to store as U+FFFD in place of the URL it sent.
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise InvalidRequest("invalid_encoding", "a percent-encoded value is not UTF-8") from exc
    return validate_webmention(pairs, is_ours=is_ours)


def build_webmention_body(source: str, target: str) -> bytes:
    """The sender's POST body: only ``source`` and ``target``, form-encoded.

    The endpoint's own query string stays in the endpoint URL (webmention.rocks test 21);
    it is never merged into this body.
    """
    return urlencode({"source": source, "target": target}).encode("ascii")
