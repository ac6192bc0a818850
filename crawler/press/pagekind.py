"""Article or listing? Telling a page reached by a link apart when it has no article markup.

A crawl that follows links meets two kinds of pages: articles (read for their text) and
listings — home pages, sections, tags, archives (read for their links only: their teasers
name the organisation without being coverage). og:type, JSON-LD and h-entry settle it when
present (``crawler.extract.page_is_article``), but many real blogs and news sites have none of
them. The signals a reader (and a good extractor) uses instead:

* **the URL's shape**: a date in the path (``/2026/10/28/…``, ``…-20261028…``) or a slug of
  several words (``/five-answers-three-new-questions/``, ``…-20434.html``) is an article;
  the root, ``/category/…``, ``/tag/…``, ``/page/2/``, ``/author/…``, ``/archive…`` are listings;
* **structure**: one ``<article>`` / ``hentry`` and one ``<h1>`` are an article; several
  ``<article>`` or ``hentry`` elements are teasers of a listing;
* **prose and link density**: an article has several paragraphs of running text, most of
  a listing's words are link text.

Both a URL that may be an article and a structure that says so are needed: an "About" page
is one ``<article>`` too, but its URL says nothing, and a dated listing
(``/2026/10/``) has many teasers. Pure: a tree and a URL in, a verdict out.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

_DATE_PATH = re.compile(
    r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?:/|$)"  # /2026/10/28/
    r"|/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])/[^/]+"  # /2026/10/slug
    r"|(?:19|20)\d\d-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01])"  # 2026-10-28, 20261028
)
_LISTING_PATH = re.compile(
    r"/(?:category|categories|tag|tags|topics?|section|sections|author|authors|archives?|"
    r"search|page|feed)(?:/|\.|$)",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[A-Za-z\u00c0-\uffff]{2,}|\d+")
_ID = re.compile(r"\d{5,}")
_INDEX_PAGES = frozenset({"index.html", "index.htm", "index.php", "default.aspx"})
_ARTICLES = etree.XPath(
    '//article | //*[contains(concat(" ", normalize-space(@class), " "), " hentry ")'
    ' or contains(concat(" ", normalize-space(@class), " "), " h-entry ")]'
)
_PARAGRAPHS = etree.XPath("//p")
_TEXT = etree.XPath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
_LINK_TEXT = etree.XPath("//body//a//text()")
#: URL and structure evidence together from which a page is an article.
ARTICLE_SCORE = 3
#: A paragraph of running text, not a caption or a teaser line.
PROSE_PARAGRAPH = 120
#: Link text over all text above which a page is a list of links.
LISTING_LINK_DENSITY = 0.5


def url_evidence(url: str) -> int:
    """How much the URL alone says "article" (> 0) or "listing" (< 0)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return 0
    path = parts.path
    score = 0
    if _DATE_PATH.search(path) or _DATE_PATH.search("/" + parts.query):
        score += 2
    segments = [s for s in path.split("/") if s and s.lower() not in _INDEX_PAGES]
    last = segments[-1] if segments else ""
    stem = last.rsplit(".", 1)[0] if "." in last else last
    words = len(_WORDS.findall(stem.replace("_", "-")))
    score += 2 if words >= 5 else 1 if words >= 3 else 0
    if _ID.search(stem) or _ID.search(parts.query):
        score += 1
    if score <= 1 and (not segments or _LISTING_PATH.search(path)):
        return -3
    return score


def structure_evidence(root: Any) -> int:
    """How much the page's structure says "article" (> 0) or "listing" (< 0)."""
    score = 0
    entries = {id(e): e for e in _ARTICLES(root)}
    nested = sum(1 for e in entries.values() if any(id(a) in entries for a in e.iterancestors()))
    count = len(entries) - nested
    if count == 1:
        score += 2
    elif count >= 2:
        score -= 2
    if len(root.findall(".//h1")) == 1:
        score += 1
    prose = sum(1 for p in _PARAGRAPHS(root) if _plain_length(p) >= PROSE_PARAGRAPH)
    score += 2 if prose >= 6 else 1 if prose >= 3 else 0
    text = sum(len(t.strip()) for t in _TEXT(root))
    links = sum(len(t.strip()) for t in _LINK_TEXT(root))
    if text and links / text > LISTING_LINK_DENSITY:
        score -= 2
    return score


def _plain_length(paragraph: Any) -> int:
    link = sum(len(a.text_content()) for a in paragraph.iter("a"))
    return len(paragraph.text_content()) - link


def looks_like_article(root: Any, url: str) -> bool:
    """Whether a page without article metadata is an article (see the module docstring)."""
    by_url = url_evidence(url)
    if by_url <= 0:
        return False
    return by_url + structure_evidence(root) >= ARTICLE_SCORE
