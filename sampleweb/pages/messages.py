"""HTTP request and response values, and the validator/compression rules every page follows.

Site handlers are plain functions ``Request -> Response``: they render bytes and never touch a
socket. The asynchronous behaviours the misbehaving endpoints need (wait before answering,
hang after the headers, stream a body too large to build) are *declared* on the Response and
carried out by the server, so the handlers stay synchronous, pure and testable.

Validators: a cacheable response gets a weak ETag computed from its body and, when the
handler knows when the content last changed, a Last-Modified; matching ``If-None-Match``
(or, without it, ``If-Modified-Since``) turns it into a 304. Weak ETags are used because the
same ETag is sent for the identity and gzip forms, which RFC 9110 allows only for weak ones.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs

COMPRESSIBLE = (
    "text/",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "application/json",
    "application/feed+json",
    "application/javascript",
)
MIN_GZIP = 512


@dataclass(slots=True)
class Request:
    method: str
    target: str  # the request-target as sent
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes = b""
    version: str = "HTTP/1.1"
    path: str = ""
    query: dict[str, list[str]] = field(default_factory=dict)
    host: str = ""  # lower case, without the port

    def __post_init__(self) -> None:
        path, _, qs = self.target.partition("?")
        path = path.partition("#")[0]
        if path.startswith(("http://", "https://")):  # absolute-form request-target
            rest = path.split("://", 1)[1]
            path = "/" + rest.partition("/")[2]
        self.path = path or "/"
        self.query = parse_qs(qs, keep_blank_values=True)
        host = self.headers.get("host", "").strip().lower()
        # "[::1]:8080" keeps its brackets; "name:8080" loses the port
        host = host.partition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
        self.host = host.rstrip(".")

    def param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def accepts_gzip(self) -> bool:
        for part in self.headers.get("accept-encoding", "").lower().split(","):
            coding, _, params = part.strip().partition(";")
            if coding.strip() in ("gzip", "*"):
                q = params.strip()
                return not (q.startswith("q=") and q[2:].strip() in ("0", "0.0", "0.00", "0.000"))
        return False


StreamFactory = Callable[[], AsyncIterator[bytes]]


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    cacheable: bool = False  # send ETag/Last-Modified and honour conditional requests
    last_modified: datetime | None = None
    compressible: bool = True
    delay: float = 0.0  # seconds to wait before answering
    hang: float = 0.0  # seconds to stall after sending the headers (until the client leaves)
    stream: StreamFactory | None = None  # produces the body (content_length must be set)
    content_length: int | None = None
    close: bool = False  # close the connection afterwards
    lazy: Callable[[], bytes] | None = None  # renders the body when a 304 will not do
    _etag: str | None = None
    _gzipped: bytes | None = None

    @property
    def etag(self) -> str:
        if self._etag is None:
            self._etag = 'W/"' + hashlib.blake2b(self.body, digest_size=10).hexdigest() + '"'
        return self._etag

    def preset_etag(self, opaque: str) -> None:
        """Use a validator derived from what determines the content (no rendering needed)."""
        self._etag = f'W/"{opaque}"'

    def materialise(self) -> None:
        if self.lazy is not None:
            self.body = self.lazy()
            self.lazy = None

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped

    @property
    def dynamic(self) -> bool:
        """Whether this response must not be cached by the router (timing or streaming)."""
        return self.delay > 0 or self.hang > 0 or self.stream is not None


def html(
    body: str, status: int = 200, *, cacheable: bool = True, last_modified: datetime | None = None
) -> Response:
    return Response(
        status,
        body.encode("utf-8"),
        cacheable=cacheable and status == 200,
        last_modified=last_modified,
    )


def xml(
    body: str, content_type: str, *, last_modified: datetime | None = None, status: int = 200
) -> Response:
    return Response(
        status,
        body.encode("utf-8"),
        content_type,
        cacheable=status == 200,
        last_modified=last_modified,
    )


def json_response(
    obj: object,
    status: int = 200,
    *,
    headers: list[tuple[str, str]] | None = None,
    cacheable: bool = False,
) -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(
        status,
        body,
        "application/json; charset=UTF-8",
        list(headers or []),
        cacheable=cacheable and status == 200,
    )


def text(body: str, status: int = 200, *, cacheable: bool = True) -> Response:
    return Response(
        status,
        body.encode("utf-8"),
        "text/plain; charset=utf-8",
        cacheable=cacheable and status == 200,
    )


def redirect(location: str, status: int = 301) -> Response:
    body = f'<html><body>Moved to <a href="{location}">{location}</a></body></html>'
    return Response(status, body.encode(), headers=[("Location", location)])


def not_found(what: str = "") -> Response:
    body = (
        "<!doctype html><html><head><title>Page not found</title></head><body>"
        f"<h1>Not Found</h1><p>Nothing lives at {what or 'this address'}.</p></body></html>"
    )
    return Response(404, body.encode("utf-8"))


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): the opaque tags, W/ ignored, "*" matches all."""
    if header.strip() == "*":
        return True
    mine = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == mine for tag in header.split(","))


def not_modified(req: Request, resp: Response) -> bool:
    """Whether a cacheable 200 should become a 304 for this request."""
    if req.method not in ("GET", "HEAD") or not resp.cacheable or resp.status != 200:
        return False
    inm = req.headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, resp.etag)
    ims = req.headers.get("if-modified-since")
    if ims and resp.last_modified is not None:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return resp.last_modified.replace(microsecond=0) <= since
    return False


def validator_headers(resp: Response) -> list[tuple[str, str]]:
    if not resp.cacheable or resp.status != 200:
        return []
    out = [("ETag", resp.etag)]
    if resp.last_modified is not None:
        out.append(("Last-Modified", http_date(resp.last_modified)))
    return out


def wants_gzip(req: Request, resp: Response) -> bool:
    return (
        resp.compressible
        and resp.stream is None
        and len(resp.body) >= MIN_GZIP
        and resp.content_type.startswith(COMPRESSIBLE)
        and req.accepts_gzip()
    )
