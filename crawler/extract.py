"""Main text, links and metadata of an article page: trafilatura, with a plain lxml fallback.

A mention counts only in a page's main text and title (DESIGN.md "Matching"), so navigation,
sidebars, "related" and "most read" boxes, footers and reader comments must not reach the
matcher. trafilatura (its defaults, comments excluded) does that best among the extractors
measured in performance-ceilings §2. Its own fallback extractors stay on (``fast=False``):
``fast`` cost nothing on the AEB corpus but lost whole articles on the readability pages
(recall 0.90 against 0.94, see bench/bench_quality.py). Links are kept (``include_links``) so
that the links to our posts are taken from the main text only, like the words; the text the
matcher sees is rendered without them, so a URL never matches a query.

When trafilatura returns nothing (tiny or odd pages), :func:`fallback_text` takes the text of
``<article>``, else ``<main>``, else ``<body>``, after dropping navigation, headers, footers,
asides, forms, scripts, and every element whose class or id names a boilerplate box
(related, most read, comments, share, newsletter, promo, sidebar ...): worse than
trafilatura, but never empty-handed and never the boxes a decoy page hides a name in.

Bad input never raises: empty bodies, binary files served as ``text/html``, undeclared or
mislabelled encodings (:func:`decode_html`), and pathological nesting (libxml2 stops at depth
255, and what lies deeper is simply not text). Pure: bytes in, values out.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.xml import xmltotxt

from crawler.press import cascade
from crawler.press.htmltext import (
    absolute,
    anchors,
    clean_text,
    decode_html,
    has_chrome,
    looks_binary,
    parse_html,
    prune_boilerplate,
    prune_chrome,
)
from crawler.press.language import language_tag, page_language
from crawler.press.metadata import page_metadata
from crawler.press.model import Link
from crawler.press.pagekind import looks_like_article

_DROP = ("nav", "aside", "footer", "header", "form", "script", "style", "noscript", "template")
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)")
_ARTICLE_TYPES_TEXT = """article newsarticle blogposting reportagenewsarticle analysisnewsarticle
    opinionnewsarticle backgroundnewsarticle reviewnewsarticle liveblogposting
    socialmediaposting report scholarlyarticle techarticle"""
_ARTICLE_TYPES = frozenset(_ARTICLE_TYPES_TEXT.split())
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
#: Pages with more tags than this are not extracted ("too many elements"): a 10 MB page of
#: one ``<div>`` per word costs trafilatura ~30 CPU-seconds; real articles have ~5,000 tags
#: (the largest of the 130 readability pages: 19,000).
MAX_TAGS = 200_000
#: The date with its time of day (the story original is the earliest published, and wire
#: stories and their pickups appear on the same day).
DATE_PARAMS: dict[str, Any] = {
    "outputformat": DATE_FORMAT,
    "original_date": True,
    "extensive_search": False,
}
#: trafilatura's fast path (no fallback extractors), plus links; metadata is read separately
#: (``crawler.press.metadata``) on the same tree.
_FAST: dict[str, Any] = {
    "fast": True,
    "include_comments": False,
    "include_tables": True,
    "include_links": True,
    "with_metadata": False,
}
#: trafilatura's full path (its defaults: readability and jusText fallbacks compared).
_FULL: dict[str, Any] = {**_FAST, "fast": False}
#: The same without links, for pages that name none of the hosts whose links matter
#: (keeping links costs trafilatura ~10 % more).
_FAST_TEXT: dict[str, Any] = {**_FAST, "include_links": False}
_FULL_TEXT: dict[str, Any] = {**_FULL, "include_links": False}
#: The fast path kept too little when its text is shorter than this share of the page's
#: paragraph text, or of all its visible text: then the full path runs.
FULL_BELOW_PARAGRAPHS = 0.4
FULL_BELOW_TEXT = 0.2
_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")

# trafilatura logs every page it finds too small at WARNING; that is our fallback's job.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)


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
    links: tuple[Link, ...] = ()
    """(absolute URL, anchor text) of the links in the main text, in document order, each URL
    once."""
    is_article: bool = False
    """The page says it is one article (og:type, JSON-LD, ``article:published_time``,
    h-entry), or, for a page reached by a link, its URL and structure do
    (``crawler.press.pagekind``): what a crawl needs to tell it from a section."""
    problem: str = ""
    """Why there is no text: ``empty``, ``binary``, ``too many elements``, ``unparseable``,
    ``no text`` or ``section`` (a listing page, read for its links)."""


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    text = str(value)
    for parse in (datetime.fromisoformat, lambda v: datetime.strptime(v, DATE_FORMAT)):
        try:
            parsed = parse(text)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _jsonld_types(root: lxml_html.HtmlElement) -> set[str]:
    found: set[str] = set()
    for script in root.iterfind('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                for name in kind if isinstance(kind, list) else [kind]:
                    if isinstance(name, str):
                        found.add(name.lower())
                stack.extend(v for k, v in item.items() if k == "@graph")
    return found


def page_is_article(root: lxml_html.HtmlElement) -> bool:
    """Whether the page's metadata says it is a single article (see ExtractedArticle)."""
    for meta in root.iterfind(".//meta"):
        prop = (meta.get("property") or meta.get("name") or "").lower()
        if prop == "og:type" and (meta.get("content") or "").lower() == "article":
            return True
        if prop in ("article:published_time", "article:published"):
            return True
    if _jsonld_types(root) & _ARTICLE_TYPES:
        return True
    return len(root.xpath('//*[contains(concat(" ", @class, " "), " h-entry ")]')) == 1


def fallback_text(page: bytes | str | lxml_html.HtmlElement) -> tuple[str, str, str]:
    """(text, title, language) from the first of article / main / body, boilerplate removed."""
    text, title, language, _ = _fallback(page, "")
    return text, title, language


def _fallback(
    page: bytes | str | lxml_html.HtmlElement, url: str
) -> tuple[str, str, str, tuple[Link, ...]]:
    root = page if isinstance(page, lxml_html.HtmlElement) else parse_html(decode_html(page))
    if root is None:
        return "", "", "", ()
    title = clean_text(root.findtext(".//title") or "")
    language = str(root.get("lang") or "")
    attribution = prune_chrome(root, url)
    prune_boilerplate(root)
    for element in [e for e in root.iter() if isinstance(e.tag, str) and e.tag in _DROP]:
        if element.getparent() is not None:
            element.drop_tree()
    node = next(
        (n for n in map(root.find, (".//article", ".//main", ".//body")) if n is not None), None
    )
    if node is None:  # no body: what is outside <head> (never the title or scripts again)
        parts = [c.text_content() for c in root if isinstance(c.tag, str) and c.tag != "head"]
        return clean_text(" ".join(parts)), title, language, attribution
    text = clean_text(node.text_content())
    body = root.find(".//body")
    if not text and body is not None and body is not node:
        text, node = clean_text(body.text_content()), body
    return text, title, language, (*anchors(node, url), *attribution)


def _refs(body: Any, url: str) -> tuple[Link, ...]:
    """(absolute target, anchor text) of the links trafilatura kept in the main text."""
    out: dict[str, str] = {}
    for ref in body.iter("ref"):
        target = absolute(ref.get("target") or "", url)
        if target:
            out.setdefault(target, " ".join("".join(ref.itertext()).split()))
    return tuple(out.items())


def _trafilatura(
    root: lxml_html.HtmlElement, url: str, options: dict[str, Any]
) -> tuple[str, tuple[Link, ...]]:
    """Main text and main-text links by trafilatura (which works on its own copy of
    ``root``: the tree stays whole for the links and the fallback)."""
    try:
        doc = trafilatura.bare_extraction(root, url=url or None, **options)
    except Exception:  # trafilatura raises assorted errors on malformed markup
        return "", ()
    return _as_text(doc, url)


def _as_text(doc: Any, url: str) -> tuple[str, tuple[Link, ...]]:
    """Text and links of trafilatura's result (its ``body`` tree and ``text``; None: none)."""
    body = getattr(doc, "body", None)
    if doc is None or body is None:
        return "", ()
    if next(body.iter("ref"), None) is None:  # no links: trafilatura's own text is ours
        return clean_text(str(getattr(doc, "text", "") or "")), ()
    links = _refs(body, url)
    etree.strip_tags(body, "ref")  # the text without "[anchor](url)"
    return clean_text(xmltotxt(body, False)), links


@dataclass(frozen=True, slots=True)
class PageText:
    """How much text a page holds, measured before extraction changes its tree: what tells
    whether the fast path kept too little (:func:`_kept_too_little`)."""

    paragraphs: int
    """Characters (spaces normalised) of its ``<p>`` elements."""
    visible: int
    """Characters of its ``<body>``, scripts and styles left out (0 without a body)."""

    @classmethod
    def of(cls, root: lxml_html.HtmlElement) -> PageText:
        paragraphs = sum(int(_TEXT_LENGTH(p)) for p in root.iter("p"))
        body = root.find("body")
        if body is None:
            return cls(paragraphs, 0)
        visible = int(_TEXT_LENGTH(body))
        visible -= sum(int(_TEXT_LENGTH(e)) for e in body.iter("script", "style"))
        return cls(paragraphs, visible)


def _kept_too_little(text: str, page: PageText) -> bool:
    """Whether the fast path missed the article (see FULL_BELOW_PARAGRAPHS): trafilatura's
    fallbacks found it on the readability pages where the fast path kept a caption, a
    summary or one block of many (bench/bench_quality.py: same recall as the full path on
    every page, with the full path run on one page in eight)."""
    if len(text) < FULL_BELOW_PARAGRAPHS * page.paragraphs:
        return True
    return len(text) < FULL_BELOW_TEXT * page.visible


def main_text(
    root: lxml_html.HtmlElement,
    url: str,
    *,
    links: bool = True,
    consume: bool = False,
    markup: str | None = None,
) -> tuple[str, tuple[Link, ...]]:
    """trafilatura's main text (and its links, unless ``links`` is false): its fast path,
    and its full path (fallback extractors compared) when the fast one kept too little,
    continued from the fast one's trees where trafilatura's steps allow
    (``crawler.press.cascade``): the same results as ``bare_extraction`` with ``_FAST`` and
    ``_FULL``.

    With ``consume`` (the caller no longer needs the page as it was) the fast path prunes
    ``root`` itself instead of a copy of the whole page (a copy is ~2 % of a crawl's CPU),
    except on a page with a teaser block, whose full path starts again from the whole page.
    ``markup`` (what ``root`` was parsed from) spares the search for a teaser block on pages
    whose markup cannot hold one."""
    page = PageText.of(root)
    teaser_free = cascade.teaser_free(root, markup)
    consumed = consume and teaser_free
    try:
        run: cascade.FastRun | None = cascade.fast_path(
            root, url or None, links=links, consume=consumed
        )
    except Exception:  # trafilatura raises assorted errors on malformed markup
        run = None
    text, found = _as_text(run.result if run else None, url)
    if not _kept_too_little(text, page) or (run is None and consumed):
        return text, found  # (a failed fast path may have left ``root`` half pruned)
    full = ""
    full_links: tuple[Link, ...] = ()
    if run is not None and teaser_free:
        try:
            full_doc = cascade.full_path(run, url or None, links=links)
        except Exception:
            full_doc = None
        full, full_links = _as_text(full_doc, url)
    else:
        full, full_links = _trafilatura(root, url, _FULL if links else _FULL_TEXT)
    return (full, full_links) if full else (text, found)


def _anchor_words(root: lxml_html.HtmlElement) -> list[tuple[str, str]]:
    """(href, anchor text) of the page's links, in document order: read before the main
    text is taken from the page (which prunes its tree), for :func:`_anchored_links`."""
    found = []
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if href:
            words = " ".join(anchor.text_content().split())
            if words:
                found.append((href, words))
    return found


def _anchored_links(anchored: list[tuple[str, str]], text: str, url: str) -> tuple[Link, ...]:
    """The page's links whose anchor text is part of the main text (trafilatura's
    short-page path keeps no links); only those are made absolute."""
    out: dict[str, str] = {}
    for href, words in anchored:
        if words in text:
            target = absolute(href, url)
            if target:
                out.setdefault(target, words)
    return tuple(out.items())


def _prepare(root: lxml_html.HtmlElement, url: str, chrome: bool) -> tuple[Link, ...]:
    """Remove platform chrome (where the markup has any) and boilerplate boxes from the
    page, in place; returns the attribution links the chrome held."""
    attribution = prune_chrome(root, url) if chrome else ()
    prune_boilerplate(root)
    return attribution


def _mentions_host(page: str, hosts: Collection[str] | None) -> bool:
    return hosts is None or any(host in page for host in hosts)


def extract_article(
    page: bytes | str,
    url: str,
    content_type: str = "",
    *,
    link_hosts: Collection[str] | None = None,
    listing: bool = False,
    content_language: str = "",
    default_language: str = "",
) -> ExtractedArticle:
    """Extract one page (see the module docstring); never raises on bad input.

    :param link_hosts: when given, links are only collected from pages that name one of
        these hosts (the hosts of our posts): the common case, a page that does not link to
        us, then costs nothing extra.
    :param listing: a page whose metadata does not say it is an article is a section page:
        return all its links (navigation included, to reach other sections) and no text.
    :param content_language: the response's ``Content-Language`` header.
    :param default_language: the source's declared language, for pages whose language
        nothing else tells (``crawler.press.language``).
    """
    if not page or not page.strip():
        return ExtractedArticle(problem="empty")
    if isinstance(page, bytes) and looks_binary(page):
        return ExtractedArticle(problem="binary")
    tags = page.count(b"<") if isinstance(page, bytes) else page.count("<")
    if tags > MAX_TAGS:
        return ExtractedArticle(problem="too many elements")
    decoded = decode_html(page, content_type)
    lang_match = _HTML_LANG.search(decoded[:4096])
    html_lang = lang_match.group(1) if lang_match else ""
    root = parse_html(decoded)
    if root is None:
        return ExtractedArticle(problem="unparseable")
    is_article = page_is_article(root) or (listing and looks_like_article(root, url))
    if listing and not is_article:
        language = language_tag(html_lang) or language_tag(content_language)
        return ExtractedArticle(language=language, links=anchors(root, url), problem="section")
    chrome = has_chrome(decoded)
    attribution = _prepare(root, url, chrome)
    wants_links = _mentions_host(decoded, link_hosts)
    meta = page_metadata(root, url, DATE_PARAMS)
    anchored = _anchor_words(root) if wants_links else []

    text, links = main_text(root, url, links=wants_links, consume=True, markup=decoded)
    method = "trafilatura" if text else ""
    fallback_title = fallback_lang = ""
    if not text:
        # the one case a page is parsed twice: trafilatura found no text at all (an empty
        # or odd page), and the fast path took the first tree
        whole = parse_html(decoded)
        if whole is not None:
            _prepare(whole, url, chrome)
            text, fallback_title, fallback_lang, links = _fallback(whole, url)
            method = "fallback" if text else ""
    elif not links and wants_links:
        links = _anchored_links(anchored, text, url)
    title = meta.title or fallback_title
    language = page_language(html_lang or fallback_lang, content_language, text, default_language)
    return ExtractedArticle(
        title=title.strip(),
        author=meta.author.strip(),
        date=_date(meta.date),
        site_name=meta.site_name.strip(),
        language=language[:20],
        text=text,
        method=method,
        links=(*links, *attribution) if text and wants_links else (),
        is_article=is_article,
        problem="" if text else "no text",
    )
