"""Forgiving HTML loading and the few text helpers the linkback parsers share.

Pages from outside are often broken, mis-declared or empty. Every parser here must return what
it can and never raise on garbage, so the decoding (declared charset, then a UTF-8 / cp1252
guess), the parse (lxml's recovering HTML parser) and the text extraction (no script or style
text, collapsed whitespace) are done in one place, the same way for every caller.

lxml is untyped here, so elements are passed around as ``Any`` under the alias ``Element``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import lxml.etree
import lxml.html
from w3lib.encoding import html_to_unicode

Element = Any  # an lxml.html.HtmlElement (lxml ships no type information)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b")
_SKIP_TEXT = frozenset({"script", "style", "noscript", "template"})

_TEXT_DATE_FORMATS = (
    "%B %d, %Y at %I:%M %p",
    "%B %d, %Y at %H:%M",
    "%d %B %Y at %H:%M",
    "%d %B %Y at %I:%M %p",
    "%B %d, %Y %I:%M %p",
    "%B %d, %Y",
    "%d %B %Y",
    "%Y-%m-%d %H:%M",
)


def _guess_encoding(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode_html(body: bytes | str, content_type: str | None = None) -> str:
    """Text of an HTML body: the declared charset (header, BOM, meta), else a guess."""
    if isinstance(body, str):
        return body
    try:
        _, text = html_to_unicode(content_type, body, auto_detect_fun=_guess_encoding)
    except Exception:  # an unknown charset name, a codec failure: never fatal
        text = body.decode("utf-8", errors="replace")
    return str(text)


def _clean(text: str) -> str:
    return _CONTROL.sub("", _XML_DECL.sub("", text, count=1))


def parse_html(body: bytes | str, content_type: str | None = None) -> Element:
    """A whole document, never raising: garbage or an empty body gives an empty ``<html>``."""
    text = _clean(decode_html(body, content_type))
    try:
        return lxml.html.document_fromstring(text or "<html></html>")
    except Exception:  # lxml refuses some inputs outright ("Document is empty", ...)
        return lxml.html.document_fromstring("<html><body></body></html>")


def parse_fragment(html: str) -> Element:
    """An HTML fragment wrapped in one ``<div>``, never raising."""
    try:
        return lxml.html.fragment_fromstring(_clean(html), create_parent="div")
    except Exception:
        return lxml.html.fragment_fromstring("", create_parent="div")


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) to one space and strip."""
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


def iter_text(el: Element) -> Iterator[str]:
    """The text pieces under ``el`` in document order, skipping script/style and comments.

    Iterative (``iterwalk``), so a maliciously deep document cannot exhaust the stack.
    """
    if not isinstance(el.tag, str):  # a comment or processing instruction
        return
    skipping = 0
    for event, node in lxml.etree.iterwalk(el, events=("start", "end", "comment", "pi")):
        is_element = isinstance(node.tag, str)
        skipped_tag = is_element and node.tag.lower() in _SKIP_TEXT
        if event in ("comment", "pi"):
            if not skipping and node.tail:
                yield str(node.tail)
        elif event == "start":
            if skipped_tag:
                skipping += 1
            elif not skipping and is_element and node.text:
                yield str(node.text)
        else:
            if skipped_tag:
                skipping -= 1
            if not skipping and node is not el and node.tail:
                yield str(node.tail)


def text_of(el: Element | None) -> str:
    """Visible-ish text of an element, whitespace collapsed (``""`` for ``None``)."""
    if el is None:
        return ""
    return normalise_space("".join(iter_text(el)))


def attr(el: Element, name: str) -> str | None:
    """An attribute value, or ``None`` when the attribute is absent."""
    value = el.get(name)
    return None if value is None else str(value)


def class_tokens(el: Element) -> list[str]:
    """The class attribute as lowercased tokens, in order."""
    return (attr(el, "class") or "").lower().split()


def rel_tokens(el: Element) -> list[str]:
    """The rel attribute as lowercased tokens, in order."""
    return (attr(el, "rel") or "").lower().split()


def xpath(el: Element, expr: str) -> list[Element]:
    """Elements matched by an XPath expression (non-elements are dropped)."""
    try:
        found = el.xpath(expr)
    except Exception:
        return []
    return [f for f in found if hasattr(f, "tag") and isinstance(f.tag, str)]


def class_pred(token: str) -> str:
    """An XPath predicate: the element's class list contains ``token`` (case-insensitive)."""
    return (
        "[contains(concat(' ', normalize-space(translate(@class, "
        f"'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')), ' '), ' {token} ')]"
    )


def with_class(token: str, tag: str = "*") -> str:
    """A relative XPath step for descendants whose class list contains ``token``."""
    return f".//{tag}{class_pred(token)}"


def first(el: Element, exprs: Iterable[str]) -> Element | None:
    """The first element matched by the first XPath expression that matches anything."""
    for expr in exprs:
        found = xpath(el, expr)
        if found:
            return found[0]
    return None


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp (or a few common English WordPress date forms), else ``None``.

    A value without an offset gives a naive datetime: the caller knows the site's timezone.
    """
    if not value:
        return None
    value = normalise_space(value)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    value = _ORDINAL.sub(r"\1", value)
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None
