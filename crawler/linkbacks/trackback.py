"""TrackBack pings: reading the form a sender POSTs, and the XML answers the protocol expects.

TrackBack (Six Apart, spec 1.2) is a form POST with ``url`` (required), ``title``, ``excerpt``
and ``blog_name``, in the charset named by the Content-Type (TrackBack 1.0 senders used GET
query parameters). There is no verification in the protocol, so the receiver stores the ping
as a receipt and verifies the source like any other linkback. The answer is a tiny XML
document: ``<error>0</error>`` or ``<error>1</error>`` with an escaped ``<message>``.

Text fields are reduced to plain text and cropped the way WordPress does (title 250, excerpt
252 characters plus an ellipsis), because they come from anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape

import defusedxml
import defusedxml.ElementTree

from crawler.linkbacks.headers import content_type_param
from crawler.linkbacks.markup import normalise_space, parse_fragment, text_of
from crawler.linkbacks.urls import is_http_url

__all__ = [
    "InvalidTrackback",
    "TrackbackPing",
    "parse_trackback_request",
    "parse_trackback_response",
    "render_trackback_error",
    "render_trackback_success",
]

TITLE_CHARS = 250
EXCERPT_CHARS = 252
MAX_FIELD_BYTES = 64_000
_FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class TrackbackPing:
    url: str  # the citing entry's permalink (the source)
    title: str = ""
    excerpt: str = ""
    blog_name: str = ""


class InvalidTrackback(ValueError):
    """A ping that cannot be accepted; ``message`` goes into the error response."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _decoder(charset: str | None) -> str:
    if charset:
        try:
            "".encode(charset)
        except LookupError:
            return ""
        return charset
    return ""


def _decode(raw: bytes, charset: str) -> str:
    if charset:
        return raw.decode(charset, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _strict_url(raw: bytes, charset: str) -> str:
    """The ``url`` field decoded without guessing: the declared charset, else UTF-8.

    Free text (title, excerpt) may be decoded leniently, but a URL that does not decode is
    refused: storing ``http://good.test/\ufffd`` or a cp1252 guess would record (and later
    fetch) a URL the sender never sent.
    """
    if len(raw) > MAX_FIELD_BYTES:
        raise InvalidTrackback("The url is too long.")
    try:
        return raw.decode(charset or "utf-8").strip()
    except UnicodeDecodeError:
        raise InvalidTrackback(
            f"The url is not valid {charset or 'UTF-8'}; percent-encode it as UTF-8."
        ) from None


def _form_fields(data: bytes) -> dict[bytes, bytes]:
    """Form-urlencoded pairs as raw bytes (first occurrence wins), decoded later by charset."""
    fields: dict[bytes, bytes] = {}
    for pair in data.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        key = unquote_to_bytes(name.replace(b"+", b" "))
        fields.setdefault(key, unquote_to_bytes(value.replace(b"+", b" ")))
    return fields


def _plain(value: str, limit: int) -> str:
    text = text_of(parse_fragment(value)) if "<" in value else normalise_space(value)
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def parse_trackback_request(
    body: bytes,
    content_type: str | None,
    *,
    query: bytes | str = b"",
) -> TrackbackPing:
    """The ping in a TrackBack POST body (or, for 1.0 senders, the query string).

    Raises ``InvalidTrackback`` with a message for the error response when ``url`` is missing
    or not an absolute http(s) URL, or the body is not form-encoded.
    """
    mtype = (content_type or "").split(";", 1)[0].strip().lower()
    if body.strip() and mtype not in ("", _FORM_TYPE):
        raise InvalidTrackback(f"Unsupported content type {mtype!r}; send {_FORM_TYPE}.")
    if len(body) > MAX_FIELD_BYTES * 4:
        raise InvalidTrackback("Request too large.")
    charset = _decoder(content_type_param(content_type, "charset"))
    fields = _form_fields(body)
    if b"url" not in fields and query:
        fields = _form_fields(query.encode("latin-1") if isinstance(query, str) else query)

    def field(name: bytes) -> str:
        return _decode(fields.get(name, b"")[:MAX_FIELD_BYTES], charset).strip()

    url = _strict_url(fields.get(b"url", b""), charset)
    if not url:
        raise InvalidTrackback("No url given: a TrackBack ping needs the url of your entry.")
    if not is_http_url(url) or any(ch.isspace() for ch in url):
        raise InvalidTrackback("The url must be an absolute http(s) URL.")
    return TrackbackPing(
        url=url,
        title=_plain(field(b"title"), TITLE_CHARS),
        excerpt=_plain(field(b"excerpt"), EXCERPT_CHARS),
        blog_name=_plain(field(b"blog_name"), TITLE_CHARS),
    )


def render_trackback_success() -> bytes:
    """``<response><error>0</error></response>``."""
    return b'<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>\n'


def render_trackback_error(message: str) -> bytes:
    """``<response><error>1</error><message>…</message></response>``, message escaped."""
    clean = "".join(ch for ch in message if ch in "\t\n\r" or ord(ch) >= 0x20)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>1</error>\n'
        f"<message>{escape(clean)}</message>\n</response>\n"
    ).encode()


def parse_trackback_response(body: bytes | str) -> tuple[bool, str]:
    """A TrackBack server's answer: ``(accepted, message)``; extra elements are tolerated."""
    try:
        root = defusedxml.ElementTree.fromstring(body, forbid_dtd=True)
    except (defusedxml.DefusedXmlException, ParseError, ValueError) as exc:
        return False, f"unreadable TrackBack response: {exc}"
    error = root.find("error")
    message = root.find("message")
    text = normalise_space(message.text or "") if message is not None else ""
    if error is None or (error.text or "").strip() not in ("0", "1"):
        return False, text or "TrackBack response without an error code"
    return (error.text or "").strip() == "0", text
