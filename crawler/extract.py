"""Main text and metadata of an article page: trafilatura, with a plain lxml fallback.

A mention counts only in a page's main text (DESIGN.md "Matching"), so navigation, sidebars,
"related stories" and comment sections must not reach the matcher: trafilatura's
``bare_extraction`` with ``include_comments=False`` does that best among the extractors measured
in performance-ceilings §2. When it returns nothing (tiny or odd pages), the fallback takes
the text of ``<article>``, else ``<main>``, else ``<body>``, minus ``nav``, ``aside``,
``footer``, ``header``, ``form``, scripts and styles: worse, but never empty-handed. The
press-mentions work refines this. Pure: bytes in, values out.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from lxml import html as lxml_html

_DROP = ("nav", "aside", "footer", "header", "form", "script", "style", "noscript", "template")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")

# trafilatura logs every page it finds too small at WARNING; that is our fallback's job.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    title: str = ""
    author: str = ""
    date: datetime | None = None
    site_name: str = ""
    language: str = ""
    text: str = ""
    method: str = ""
    """Which extractor produced ``text``: ``trafilatura``, ``fallback`` or ``""`` (none)."""


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _clean(text: str) -> str:
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    return _LINES.sub("\n\n", "\n".join(lines)).strip()


def fallback_text(page: bytes | str) -> tuple[str, str, str]:
    """(text, title, language) from the first of article / main / body, boilerplate removed."""
    try:
        root = lxml_html.fromstring(page)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return "", "", ""
    title = _clean(root.findtext(".//title") or "")
    language = str(root.get("lang") or "")
    for tag in _DROP:
        for element in root.iter(tag):
            element.drop_tree()
    for path in (".//article", ".//main", ".//body"):
        node = root.find(path)
        if node is not None:
            text = _clean(node.text_content())
            if text:
                return text, title, language
    return _clean(root.text_content()), title, language


def extract_article(page: bytes | str, url: str) -> ExtractedArticle:
    """Extract one page (see the module docstring); never raises on bad input."""
    if not page or not page.strip():
        return ExtractedArticle()
    try:
        doc = trafilatura.bare_extraction(
            page,
            url=url,
            include_comments=False,
            include_tables=True,
            with_metadata=True,
        )
        meta: dict[str, Any] = {}
        if isinstance(doc, dict):
            meta = doc
        elif doc is not None:
            meta = doc.as_dict()
    except Exception:  # trafilatura raises assorted errors on malformed markup
        meta = {}
    text = _clean(str(meta.get("text") or ""))
    method = "trafilatura" if text else ""
    title = str(meta.get("title") or "")
    language = str(meta.get("language") or "")
    if not text:
        text, fallback_title, fallback_lang = fallback_text(page)
        method = "fallback" if text else ""
        title = title or fallback_title
        language = language or fallback_lang
    return ExtractedArticle(
        title=title.strip(),
        author=str(meta.get("author") or "").strip(),
        date=_date(meta.get("date")),
        site_name=str(meta.get("sitename") or "").strip(),
        language=language,
        text=text,
        method=method,
    )
