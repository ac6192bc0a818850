"""Sniff, then trust: what a fetched body really is and how it is encoded, decided from the
bytes first and from the server's labels second.

Servers mislabel feeds (XML sent as ``application/json``, ``text/plain`` or ``text/html``;
JSON Feeds sent as ``text/xml``), send UTF-16 with a UTF-8 declaration, gzip a body without
saying so, or put an entity bomb in the prolog. Everything here is pure (bytes and header
values in, a ``Sniffed`` value out) so each of those cases is a table test, and the parser
(``crawler.feeds.parse``) only ever sees UTF-8 bytes with a truthful declaration.

Decoding order, each candidate tried strictly and the first that decodes the whole body wins:
byte-order mark (or the UTF-16/32 byte pattern of ``<?``), the XML declaration, the HTTP
charset, UTF-8 (XML's default), then detection with ``charset-normalizer``. Which one won is
recorded, so a source whose declared charset lies can be shown as such.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from dataclasses import dataclass
from html.entities import name2codepoint

from charset_normalizer import from_bytes

#: Above this many bytes (after any gunzip) a body is refused, not parsed: feedparser holds a
#: document several times over in memory, and no real feed comes near it.
MAX_FEED_BYTES = 16 * 1024 * 1024
#: Detection scores (charset-normalizer "chaos") this close count as a tie.
TIE = 0.05
#: How much of the body the sniffers look at.
HEAD = 4096

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: XML 1.0 appendix F: ``<?`` (or ``<``) in a wide encoding without a BOM.
_WIDE = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_DECLARATION_TEXT = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[A-Za-z0-9._:-]+\2")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_ENTITY_DECL = re.compile(r"<!ENTITY\s+%?\s*[\w.:-]+\s+(SYSTEM|PUBLIC|[\"'][^\"']*[\"'])", re.I)
_ENTITY_REF = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
#: First elements that make a document an HTML page (tag soup often starts without <html>).
_HTML_ROOTS = frozenset({"html", "head", "body", "meta", "title", "link", "script", "div", "p"})
_DISPLAY = {"cp1252": "windows-1252", "cp1250": "windows-1250", "cp1251": "windows-1251"}


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What a body is, by its bytes: ``kind`` is ``xml``, ``json``, ``html`` or ``""``
    (unknown); ``text`` is the decoded body; ``encoding``/``encoding_from`` say how it was
    decoded (``bom``, ``xml declaration``, ``http charset``, ``default``, ``detected``);
    ``served_as`` is the declared media type when it disagrees with the bytes; ``notes`` are
    the problems recovered from; ``error`` is set when the body is refused."""

    kind: str
    text: str = ""
    encoding: str = ""
    encoding_from: str = ""
    served_as: str = ""
    notes: tuple[str, ...] = ()
    error: str = ""


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def http_charset(content_type: str) -> str:
    match = _CHARSET.search(content_type or "")
    return match.group(1).lower() if match else ""


def gunzip_if_gzip(body: bytes, limit: int = MAX_FEED_BYTES) -> tuple[bytes, str]:
    """A body that starts with the gzip magic but reached us undecoded (no or a wrong
    ``Content-Encoding``) is inflated, up to ``limit`` bytes. Returns (body, error)."""
    if not body.startswith(b"\x1f\x8b"):
        return body, ""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        return body, f"parse error: gzip body that does not inflate ({exc})"
    if not out and not inflater.eof:
        return body, "parse error: gzip body that does not inflate (truncated)"
    if len(out) > limit:
        return b"", f"parse error: too large (gzip body inflates past {limit // 2**20} MB)"
    return out, ""


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _try(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(body: bytes, charset: str = "") -> tuple[str, str, str]:
    """(text, encoding, how it was chosen); see the module docstring for the order."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            text = _try(body[len(bom) :], name)
            if text is not None:
                return text, name, "bom"
    for pattern, name in _WIDE:
        if body.startswith(pattern):
            text = _try(body, name)
            if text is not None:
                return text, name.removesuffix("-le").removesuffix("-be"), "byte pattern"
    candidates: list[tuple[str, str]] = []
    match = _DECLARATION.match(body[:512])
    if match:
        candidates.append((match.group(1).decode("ascii").lower(), "xml declaration"))
    if charset:
        candidates.append((charset, "http charset"))
    candidates.append(("utf-8", "default"))
    for name, source in candidates:
        codec = _codec(name)
        if not codec or codec.startswith("utf-16") or codec.startswith("utf-32"):
            continue  # a wide encoding without its byte pattern is a lie
        text = _try(body, codec)
        if text is not None:
            return text, codec, source
    detected = _detect(body)
    if detected:
        text = _try(body, detected)
        if text is not None:
            return text, _codec(detected) or detected, "detected"
    return body.decode("utf-8", "replace"), "utf-8", "detected (with replacements)"


def _detect(body: bytes) -> str:
    """charset-normalizer's guess, with near-ties broken towards windows-1252: on the few
    hundred bytes of non-ASCII a feed has, several single-byte code pages score alike, and
    windows-1252 is what the web falls back to (WHATWG) and what mislabelled feeds use."""
    matches = list(from_bytes(body[:65536]))
    if not matches:
        return ""
    best = matches[0]
    for match in matches:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + TIE:
            return "cp1252"
    return str(best.encoding)


def _declared_charset(body: bytes, content_type: str) -> str:
    match = _DECLARATION.match(body[:512])
    return match.group(1).decode("ascii").lower() if match else http_charset(content_type)


def _prolog(text: str) -> str:
    """The text before the root element (declarations, comments, DOCTYPE)."""
    for match in _ROOT.finditer(text, 0, HEAD * 4):
        start = match.start()
        if not text.startswith(("<!", "<?"), start):
            return text[:start]
    return text[: HEAD * 4]


def _kind(text: str) -> str:
    head = text[:HEAD].lstrip()
    if head.startswith("{"):
        return "json"
    lowered = head.lower()
    if lowered.startswith(("<!doctype html", "<html")):
        return "html"
    for match in _ROOT.finditer(head):
        start = match.start()
        if head.startswith(("<!", "<?"), start):
            continue
        name = match.group(1).lower()
        return "html" if name in _HTML_ROOTS else "xml"
    return "xml" if lowered.startswith("<?xml") else ""


def _declared_kind(mtype: str) -> str:
    if not mtype:
        return ""
    if "json" in mtype:
        return "json"
    if "xml" in mtype or mtype in ("application/rss", "application/atom"):
        return "xml"
    if mtype in ("text/html", "application/xhtml"):
        return "html"
    return mtype


def truthful_utf8(text: str) -> bytes:
    """``text`` as UTF-8 bytes whose XML declaration (if any) says UTF-8."""
    head = _DECLARATION_TEXT.sub(r"\1\g<2>utf-8\2", text[:512], count=1)
    return (head + text[512:]).encode("utf-8", "surrogatepass")


def _html_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    code = name2codepoint.get(name)
    return f"&#{code};" if code is not None else f"&amp;{name};"


def define_html_entities(text: str) -> str:
    """Undefined HTML entities (``&nbsp;``, ``&eacute;`` in XML without a DTD) as numeric
    references, and unknown ones as the text they are, so the strict XML parser reads the
    feed instead of falling back to the loose one (which recovers entries but loses structure
    on harder documents). A document that declares its own entities is left alone."""
    if "&" not in text or "<!ENTITY" in _prolog(text).upper():
        return text
    return _ENTITY_REF.sub(_html_entity, text)


def sniff(body: bytes, content_type: str = "", *, limit: int = MAX_FEED_BYTES) -> Sniffed:
    """Decide what ``body`` is and decode it; see the module docstring."""
    if len(body) > limit:
        return Sniffed("", error=f"parse error: too large ({len(body) / 2**20:.0f} MB)")
    notes: list[str] = []
    inflated, error = gunzip_if_gzip(body, limit)
    if error:
        return Sniffed("", error=error)
    if inflated is not body:
        notes.append("gzip body without Content-Encoding: gzip")
        body = inflated
    if not body.strip():
        return Sniffed("", error="parse error: empty")
    text, encoding, source = decode(body, http_charset(content_type))
    if source.startswith("detected"):
        declared = _declared_charset(body, content_type)
        label = _DISPLAY.get(encoding, encoding)
        lie = f"declared {declared} does not decode; " if declared else ""
        notes.append(f"{lie}charset {source}: {label}")
    kind = _kind(text)
    mtype = media_type(content_type)
    declared = _declared_kind(mtype)
    served_as = mtype if declared and kind and declared != kind and kind != "html" else ""
    if served_as:
        notes.append(f"served as {mtype}")
    if kind == "xml":
        prolog = _prolog(text)
        if "<!ENTITY" in prolog.upper() and _refused_entities(prolog):
            return Sniffed(
                "xml",
                encoding=encoding,
                encoding_from=source,
                served_as=served_as,
                error="parse error: entity declarations refused (entity expansion guard)",
            )
    return Sniffed(kind, text, encoding, source, served_as, tuple(notes))


def _refused_entities(prolog: str) -> bool:
    """Entity declarations that are external (``SYSTEM``/``PUBLIC``) or refer to other
    entities (the "billion laughs" shape) are refused; plain text constants are allowed."""
    for match in _ENTITY_DECL.finditer(prolog):
        value = match.group(1)
        if value.upper() in ("SYSTEM", "PUBLIC") or "&" in value or "%" in value:
            return True
    return False
