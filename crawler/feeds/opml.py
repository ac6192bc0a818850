"""OPML 2.0 subscription lists in and out: the feeds a reader or another monitoring tool
exports, as sources, and our sources as a list any reader imports.

Reading uses ``defusedxml`` (no DTD, no entities, no external references: an OPML file is
outside input like any feed) and walks the outline tree without recursion, so a file that nests
1,000 levels costs nothing and outlines below ``MAX_DEPTH`` are skipped with a reason. It does
not use ``listparser``: that library also fetches URLs itself, and every network access here
goes through the crawler's downloader and address guard. A file that is not OPML (an HTML page,
a feed) is refused with what it is.

Categories map to source kinds: an outline's ``category`` attribute, else the folders
(outlines without ``xmlUrl``) it sits in, are matched against ``KIND_WORDS``; the first word
found decides, and ``press`` is the default. Export writes one folder per kind, with the same
``category``, so export then import gives back the same sources.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_DEPTH = 64
MAX_BYTES = 16 * 1024 * 1024
DEFAULT_KIND = "press"
#: Words in a category or folder name that decide a source's kind.
KIND_WORDS = {
    "press": "press",
    "news": "press",
    "media": "press",
    "newspaper": "press",
    "newspapers": "press",
    "blog": "blog",
    "blogs": "blog",
    "weblog": "blog",
    "weblogs": "blog",
}


@dataclass(frozen=True, slots=True)
class Outline:
    """One feed of an OPML file."""

    url: str
    name: str
    kind: str = DEFAULT_KIND
    html_url: str = ""
    language: str = ""


@dataclass
class OpmlDocument:
    """The feeds of one file, the outlines skipped (with why), or why the file was refused."""

    outlines: list[Outline] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""


def _kind(words: Iterable[str]) -> str:
    for text in words:
        for word in text.replace("/", " ").replace(",", " ").lower().split():
            if word in KIND_WORDS:
                return KIND_WORDS[word]
    return ""


def _local(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1].lower()


def parse_opml(data: bytes) -> OpmlDocument:
    """The feeds listed in an OPML file; see the module docstring."""
    if len(data) > MAX_BYTES:
        return OpmlDocument(error=f"not imported: larger than {MAX_BYTES // 2**20} MB")
    if data[:512].lstrip().lower().startswith(b"<!doctype html"):
        return OpmlDocument(error="not an OPML file: it is an HTML page")
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        return OpmlDocument(error=f"not imported: refused XML construct ({type(exc).__name__})")
    except ET.ParseError as exc:
        if data[:512].lstrip().lower().startswith(b"<html"):
            return OpmlDocument(error="not an OPML file: it is an HTML page")
        return OpmlDocument(error=f"not an OPML file: not well-formed XML ({exc})")
    if _local(root.tag) != "opml":
        return OpmlDocument(error=f"not an OPML file: its root element is <{_local(root.tag)}>")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        return OpmlDocument(error="not an OPML file: no <body>")
    doc = OpmlDocument()
    seen: set[str] = set()
    # (element, depth, folder names above it): an explicit stack, never recursion.
    stack: list[tuple[ET.Element, int, tuple[str, ...]]] = [
        (child, 1, ()) for child in reversed(list(body))
    ]
    while stack:
        element, depth, folders = stack.pop()
        if _local(element.tag) != "outline":
            continue
        text = (element.get("title") or element.get("text") or "").strip()
        url = (element.get("xmlUrl") or element.get("xmlurl") or "").strip()
        if depth > MAX_DEPTH:
            doc.skipped.append((url or text, f"nested deeper than {MAX_DEPTH} levels"))
            continue
        if not url:
            children = [(c, depth + 1, (*folders, text)) for c in element]
            stack.extend(reversed(children))
            continue
        if url in seen:
            doc.skipped.append((url, "listed twice"))
            continue
        seen.add(url)
        kind = _kind([element.get("category") or "", *reversed(folders)]) or DEFAULT_KIND
        doc.outlines.append(
            Outline(
                url=url,
                name=(text or url)[:200],
                kind=kind,
                html_url=(element.get("htmlUrl") or "").strip(),
                language=(element.get("language") or "").strip()[:20],
            )
        )
    return doc


def to_opml(outlines: Sequence[Outline], *, title: str, now: datetime) -> bytes:
    """An OPML 2.0 document with one folder per kind (see the module docstring)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for item in outlines:
        folder = folders.get(item.kind)
        if folder is None:
            folder = ET.SubElement(body, "outline", text=item.kind, title=item.kind)
            folders[item.kind] = folder
        attrs = {"type": "rss", "text": item.name, "title": item.name, "xmlUrl": item.url}
        attrs["category"] = f"/{item.kind}"
        if item.html_url:
            attrs["htmlUrl"] = item.html_url
        if item.language:
            attrs["language"] = item.language
        ET.SubElement(folder, "outline", attrs)
    ET.indent(root)
    text: str = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode("utf-8")
