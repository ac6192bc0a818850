"""Where does a page want its linkbacks sent? Webmention, Pingback and TrackBack discovery.

Every Python discovery library checked fails some webmention.rocks test, so the three
algorithms are written here from the specifications, over a response the caller already
fetched (final URL after redirects, header pairs including repeated headers, body):

- Webmention (W3C REC §3.1.2): the first ``Link`` header with rel token ``webmention``
  (RFC 8288 parsing: several headers, comma-separated links, quoted and multi-valued rel,
  commas inside ``<…>`` kept), else the first ``<link>`` or ``<a>`` with that rel token in
  document order (a parsed DOM, so comments and escaped text never count; no ``href`` means
  skip, ``href=""`` means the page itself). Relative URLs resolve against the *final* URL,
  query strings kept.
- Pingback 1.0: the first ``X-Pingback`` header, else the spec's exact
  ``<link rel="pingback" href="…">`` form with only four entities decoded. Other spellings
  are non-conforming: ignored (and noted) unless the caller asks for leniency.
- TrackBack: the RDF block (usually inside an HTML comment) whose ``dc:identifier`` is the
  page; WordPress's ``<permalink>trackback/`` is never guessed.

Fetching, redirects and the address guard stay with the caller; ``is_local_endpoint`` only
catches endpoints that are literally local before anything is resolved.
"""

from __future__ import annotations

import html
import ipaddress
import re
from dataclasses import dataclass

from crawler.linkbacks.headers import (
    Headers,
    first_header,
    header_values,
    is_html_type,
    media_type,
)
from crawler.linkbacks.markup import Element, attr, decode_html, parse_html, rel_tokens
from crawler.linkbacks.urls import defrag, join, split

__all__ = [
    "Endpoints",
    "PingbackServer",
    "discover",
    "discover_pingback",
    "discover_trackback",
    "discover_webmention",
    "is_local_endpoint",
    "parse_link_header",
]

_PINGBACK_LINK = re.compile(r'<link rel="pingback" href="([^"]+)" ?/?>')
_PINGBACK_ENTITIES = re.compile(r"&(amp|lt|gt|quot);")
_ENTITY_CHARS = {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}
_RDF_BLOCK = re.compile(r"<rdf:RDF\b.*?</rdf:RDF\s*>", re.DOTALL | re.IGNORECASE)
_RDF_DESCRIPTION = re.compile(r"<rdf:Description\b(.*?)/?>", re.DOTALL | re.IGNORECASE)
_XML_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.DOTALL)


@dataclass(frozen=True, slots=True)
class PingbackServer:
    url: str
    conforming: bool  # found by the spec's algorithm (header or exact <link> form)


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The endpoints a page advertises (``None`` when it advertises none)."""

    pingback: str | None = None
    webmention: str | None = None
    trackback: str | None = None
    notes: tuple[str, ...] = ()  # what was odd: non-conforming pingback links, ...


# ----------------------------------------------------------------------------- Link header


def _skip_to_comma(value: str, i: int) -> int:
    quoted = False
    while i < len(value):
        char = value[i]
        if char == '"':
            quoted = not quoted
        elif char == "\\" and quoted:
            i += 1
        elif char == "," and not quoted:
            return i
        i += 1
    return i


def _read_param(value: str, i: int) -> tuple[str, str, int]:
    """One ``name[=value]`` after a ``;``; returns (lowercased name, value, next index)."""
    n = len(value)
    while i < n and value[i] in " \t":
        i += 1
    start = i
    while i < n and value[i] not in "=;, \t":
        i += 1
    name = value[start:i].lower()
    while i < n and value[i] in " \t":
        i += 1
    if i >= n or value[i] != "=":
        return name, "", i
    i += 1
    while i < n and value[i] in " \t":
        i += 1
    if i < n and value[i] == '"':
        i += 1
        chars = []
        while i < n and value[i] != '"':
            if value[i] == "\\" and i + 1 < n:
                i += 1
            chars.append(value[i])
            i += 1
        return name, "".join(chars), min(i + 1, n)
    start = i
    while i < n and value[i] not in ";,":
        i += 1
    return name, value[start:i].strip(), i


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """RFC 8288 ``Link`` header value → ``[(uri-reference, {param: value})]``.

    Parameter names are lowercased; the first occurrence of a parameter wins. A ``,`` inside
    ``<…>`` or inside a quoted value does not split links. Malformed parts are skipped.
    """
    links: list[tuple[str, dict[str, str]]] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in " \t,":
            i += 1
        if i >= n:
            break
        if value[i] != "<":
            i = _skip_to_comma(value, i)
            continue
        end = value.find(">", i + 1)
        if end < 0:
            break
        uri = value[i + 1 : end].strip()
        i = end + 1
        params: dict[str, str] = {}
        while i < n:
            while i < n and value[i] in " \t":
                i += 1
            if i >= n or value[i] == ",":
                break
            if value[i] != ";":
                i = _skip_to_comma(value, i)
                break
            name, param, i = _read_param(value, i + 1)
            if name and name not in params:
                params[name] = param
        links.append((uri, params))
    return links


def _resolve(base: str, reference: str) -> str:
    reference = reference.strip()
    if not reference:
        return defrag(base)  # an empty reference is the document itself
    return join(base, reference)


# ----------------------------------------------------------------------------- Webmention


def _webmention_from_headers(url: str, headers: Headers | None) -> str | None:
    for value in header_values(headers, "link"):
        for uri, params in parse_link_header(value):
            if "webmention" in params.get("rel", "").lower().split():
                return _resolve(url, uri)
    return None


def _webmention_from_html(url: str, doc: Element) -> str | None:
    for el in doc.iter("link", "a"):
        if "webmention" not in rel_tokens(el):
            continue
        href = attr(el, "href")
        if href is None:
            continue  # an element without href is skipped; href="" is the page itself
        return _resolve(url, href)
    return None


def discover_webmention(url: str, headers: Headers | None, body: bytes | str) -> str | None:
    """The Webmention endpoint of a page, absolute, or ``None``.

    ``url`` must be the final URL after redirects (relative endpoints resolve against it).
    """
    found = _webmention_from_headers(url, headers)
    if found is not None or not is_html_type(media_type(headers)):
        return found
    return _webmention_from_html(url, parse_html(body, first_header(headers, "content-type")))


# ----------------------------------------------------------------------------- Pingback


def _decode_pingback_entities(value: str) -> str:
    return _PINGBACK_ENTITIES.sub(lambda m: _ENTITY_CHARS[m.group(1)], value)


def _lenient_pingback(url: str, doc: Element) -> str | None:
    for el in doc.iter("link"):
        if "pingback" in rel_tokens(el) and (attr(el, "href") or "").strip():
            return _resolve(url, attr(el, "href") or "")
    return None


def _strict_pingback(url: str, headers: Headers | None, text: str) -> str | None:
    for value in header_values(headers, "x-pingback"):
        if value.strip():
            return _resolve(url, value)
    match = _PINGBACK_LINK.search(text)
    return _decode_pingback_entities(match.group(1)) if match else None


def discover_pingback(
    url: str,
    headers: Headers | None,
    body: bytes | str,
    *,
    lenient: bool = False,
) -> PingbackServer | None:
    """The Pingback server of a page by the Pingback 1.0 algorithm, or ``None``.

    The first ``X-Pingback`` header wins; else the first exact match of
    ``<link rel="pingback" href="…" ?/?>`` in the body. With ``lenient=True`` any
    ``<link rel="pingback">`` is accepted as a last resort, marked ``conforming=False``.
    """
    text = decode_html(body, first_header(headers, "content-type"))
    found = _strict_pingback(url, headers, text)
    if found is not None:
        return PingbackServer(url=found, conforming=True)
    if lenient and is_html_type(media_type(headers)):
        loose = _lenient_pingback(url, parse_html(text))
        if loose is not None:
            return PingbackServer(url=loose, conforming=False)
    return None


# ----------------------------------------------------------------------------- TrackBack


def _same_page(a: str, b: str) -> bool:
    """Loose equality for permalinks: ignore fragment, trailing slash, scheme, host case."""

    def key(value: str) -> tuple[str, str, str] | None:
        parts = split(defrag(value))
        if parts is None:
            return None
        return (parts.netloc.lower(), parts.path.rstrip("/") or "/", parts.query)

    key_a = key(a)
    return key_a is not None and key_a == key(b)


def discover_trackback(
    url: str, body: bytes | str, *, permalink: str | None = None, _doc: Element | None = None
) -> str | None:
    """The TrackBack ping URL for ``permalink`` (default: the page URL), or ``None``.

    Reads the RDF ``rdf:Description`` blocks (even inside HTML comments) and picks the one
    whose ``dc:identifier`` is the permalink, exactly or loosely; a page with a single
    description that names no identifier is taken as describing itself. Falls back to a
    ``rel="trackback"`` link. The WordPress ``trackback/`` URL pattern is not guessed.
    """
    wanted = permalink or url
    text = decode_html(body)
    descriptions = []
    for block in _RDF_BLOCK.findall(text):
        for attrs_text in _RDF_DESCRIPTION.findall(block):
            attrs = {
                m.group(1).lower(): html.unescape(
                    m.group(2) if m.group(2) is not None else m.group(3)
                )
                for m in _XML_ATTR.finditer(attrs_text)
            }
            if attrs.get("trackback:ping", "").strip():
                descriptions.append(attrs)
    for matcher in (lambda a, b: a.strip() == b.strip(), _same_page):
        for attrs in descriptions:
            identifier = attrs.get("dc:identifier") or attrs.get("rdf:about") or ""
            if identifier and matcher(identifier, wanted):
                return _resolve(url, attrs["trackback:ping"])
    if len(descriptions) == 1 and not (
        descriptions[0].get("dc:identifier") or descriptions[0].get("rdf:about")
    ):
        return _resolve(url, descriptions[0]["trackback:ping"])
    if descriptions:
        return None
    for el in (_doc if _doc is not None else parse_html(text)).iter("link", "a"):
        if "trackback" in rel_tokens(el) and (attr(el, "href") or "").strip():
            return _resolve(url, attr(el, "href") or "")
    return None


# ----------------------------------------------------------------------------- all three


def discover(
    url: str,
    headers: Headers | None,
    body: bytes | str,
    *,
    lenient_pingback: bool = False,
) -> Endpoints:
    """All three endpoints of a fetched page; ``url`` is the final URL after redirects."""
    notes: list[str] = []
    text = decode_html(body, first_header(headers, "content-type"))
    doc = parse_html(text) if is_html_type(media_type(headers)) else None
    pingback = _strict_pingback(url, headers, text)
    loose = _lenient_pingback(url, doc) if pingback is None and doc is not None else None
    if loose is not None and lenient_pingback:
        pingback = loose
        notes.append(f"non-conforming pingback link used: {loose}")
    elif loose is not None:
        notes.append(f"non-conforming pingback link ignored: {loose}")
    webmention = _webmention_from_headers(url, headers)
    if webmention is None and doc is not None:
        webmention = _webmention_from_html(url, doc)
    trackback = discover_trackback(url, text, _doc=doc) if doc is not None else None
    return Endpoints(
        pingback=pingback,
        webmention=webmention,
        trackback=trackback,
        notes=tuple(notes),
    )


def is_local_endpoint(url: str) -> bool:
    """Is the endpoint's host literally local (localhost, loopback, private, link-local…)?

    A cheap first filter before anything is sent; the fetch layer's address guard still
    checks every resolved address, since a public name can resolve to a private address.
    """
    parts = split(url)
    if parts is None:
        return True  # unparseable: never send
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return bool(
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
