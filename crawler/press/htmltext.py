"""HTML as text the match stage can trust: decoding, parsing, and the boxes that are not text.

Pages arrive with wrong or missing charset labels, as binary files labelled ``text/html``, or
as fragments inside feeds. :func:`decode_html` turns any of them into ``str`` without losing a
name to mojibake; :func:`parse_html` never raises. Boilerplate — sidebars, "related" and "most
read" boxes, comments, share bars, newsletters, promos — is recognised by its class or id
(:func:`is_boilerplate`) and removed before extraction (trafilatura drops most of it itself,
but not on short pages, where its baseline keeps every block). *Chrome* is the attribution
furniture that blogging platforms put inside an entry's own HTML (a WordPress.com reblog's
"reblogged from" line and its "Source:" line, Jetpack's share and related-posts blocks): not
the writer's words, so not main text, though a reblog's source link is still a link of the
page. Pure.
"""

from __future__ import annotations

import codecs
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from crawler.press.model import Link

#: Class or id tokens of boilerplate boxes, as whole words of a token ("comments",
#: "related-stories", "nh-menu"), never inside a longer word ("commentary", "shared").
BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:related|most-?read|popular|trending|comments?|sidebar|share|"
    r"sharing|social|newsletter|promo|partner|sponsor(?:ed)?|advert|adverts|ads?|ad-slot|"
    r"cookies?|consent|breadcrumbs?|footer|menu|subscribe)(?=$|[\s_-])",
    re.IGNORECASE,
)
_COMMENTS = re.compile(r"(?:^|[\s_-])comments?(?=$|[\s_-])", re.IGNORECASE)
#: Never pruned as boilerplate, whatever their classes say (``<body class="has-sidebar">``).
_CONTAINERS = frozenset({"html", "body", "main", "article", "h1"})
#: Classes of platform furniture inside an entry's HTML, and those whose links still count.
CHROME = frozenset({"reblog-from", "reblog-source", "sharedaddy", "jp-relatedposts", "sd-sharing"})
ATTRIBUTION = frozenset({"reblog-from", "reblog-source"})
_SPACE = re.compile(r"[ \t\r\f\v]+")
_INLINE_SPACE = re.compile(r"[ \t]+")
_LINES = re.compile(r"\n\s*\n+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
#: Magic numbers of files that are never HTML, whatever their Content-Type says.
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
_BLOCK_TAGS = "p div li h1 h2 h3 h4 h5 h6 blockquote pre tr br section article"
_BLOCKS = frozenset(_BLOCK_TAGS.split())


def clean_text(text: str) -> str:
    """Spaces collapsed within lines, runs of blank lines collapsed to one.

    Spaces and tabs are collapsed over the whole text in one pass: ``\r``, ``\f`` and ``\v``
    (the rest of ``_SPACE``) end a line for ``splitlines``, so what is collapsed within each
    line is the same (one regex call, not one per line: ~1.5 % of an extraction)."""
    lines = [line.strip() for line in _INLINE_SPACE.sub(" ", text).splitlines()]
    return _LINES.sub("\n\n", "\n".join(lines)).strip()


def looks_binary(body: bytes) -> bool:
    """A file that is not text at all (an image or PDF served as ``text/html``)."""
    head = body[:1024]
    if head.startswith(_BINARY_MAGIC):
        return True
    return b"\x00" in head


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def declared_charset(body: bytes, content_type: str = "") -> str | None:
    """The charset the HTTP header, else the page's ``<meta>``, declares (a known codec)."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    if match:
        codec = _codec(match.group(1))
        if codec:
            return codec
    meta = _META_CHARSET.search(body[:4096])
    return _codec(meta.group(1).decode("ascii", "replace")) if meta else None


def decode_html(body: bytes | str, content_type: str = "") -> str:
    """Decode a page whatever its labels say.

    A byte-order mark wins; then the declared charset if the bytes decode under it; a page
    declared Latin-1 / windows-1252 that is valid UTF-8 with non-ASCII bytes is UTF-8 (a
    common mislabelling, and mojibake would hide names like "Thérèse"); then UTF-8; then
    windows-1252, which decodes anything.
    """
    if isinstance(body, str):
        return body
    for bom, bom_codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(bom_codec, "replace")
    declared = declared_charset(body, content_type)
    if declared in ("latin-1", "iso8859-1", "cp1252", "ascii") and not body.isascii():
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for name in (declared, "utf-8"):
        if name:
            try:
                return body.decode(name)
            except (UnicodeDecodeError, LookupError):
                continue
    return body.decode("cp1252", "replace")


def _parser() -> lxml_html.HTMLParser:
    """The parser trafilatura itself uses: HTML comments and processing instructions are not
    kept (left in the tree, they split text nodes and trafilatura loses paragraphs at them:
    measured on the readability pages), ids are not indexed (faster).

    Every element is an ``HtmlElement``: lxml.html's own class lookup is a Python method
    called each time an element becomes a Python object (~3,700 times a page between
    trafilatura, htmldate and us, ~4 % of a crawl's CPU) only to hand ``<form>``, ``<input>``
    and friends their form classes, which nothing here uses. lxml's default lookup does the
    same in C; the trees, and what is extracted from them, are the same (#14)."""
    parser = lxml_html.HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(_ELEMENT_CLASSES)
    return parser


#: Plain ``HtmlElement`` (and lxml.html's comment, PI and entity classes) for every node.
_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement,
    comment=lxml_html.HtmlComment,
    pi=lxml_html.HtmlProcessingInstruction,
    entity=lxml_html.HtmlEntity,
)


def parse_html(text: str) -> lxml_html.HtmlElement | None:
    """An lxml tree of ``text`` (None when there is nothing to parse)."""
    if not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text, parser=_parser())
    except ValueError:  # a str with an XML encoding declaration: parse its UTF-8 bytes
        try:
            data = text.encode("utf-8", "replace")
            return lxml_html.document_fromstring(data, parser=_parser())
        except (ValueError, etree.ParserError):
            return None
    except etree.ParserError:
        return None


def classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def is_boilerplate(element: Any) -> bool:
    """An element whose class or id names a boilerplate box (see the module docstring)."""
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(marks.strip()) and BOILERPLATE.search(marks) is not None


def is_comments(element: Any) -> bool:
    """A reader-comments box (class or id token ``comment`` / ``comments``)."""
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    return _COMMENTS.search(marks) is not None


def absolute(target: str, base: str) -> str:
    """``target`` made absolute against ``base``; "" unless it is an http(s) URL."""
    target = target.strip()
    try:
        url = urljoin(base, target) if base else target
        scheme = urlsplit(url).scheme
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def anchors(node: Any, base: str) -> tuple[Link, ...]:
    """(absolute URL, anchor text) of the ``<a href>`` under ``node``, each URL once."""
    out: dict[str, str] = {}
    for anchor in node.iter("a"):
        url = absolute(anchor.get("href") or "", base)
        if url:
            out.setdefault(url, _SPACE.sub(" ", anchor.text_content()).strip())
    return tuple(out.items())


#: Every class and id value of a tree, in document order (an element's class and id are
#: adjacent), each knowing its element (``getparent``).
_MARKS = etree.XPath("//@class | //@id")
_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")
#: A marked box holding at least this share of the page's prose is the article, not a box.
PROSE_SHARE = 0.25
#: ... and at least this many characters of it (on a short page a promo line is a quarter).
PROSE_MIN = 400
_CHROME_XPATH = etree.XPath(
    " | ".join(f'//*[contains(concat(" ", @class, " "), " {name} ")]' for name in sorted(CHROME))
)


def prose_chars(node: Any) -> int:
    """Characters of running text under ``node``: not link text, not scripts or styles.

    Boilerplate boxes (menus, related lists, share bars, widgets listing archives) are mostly
    links; an article body is mostly prose, whatever its container's class says."""
    total = int(_TEXT_LENGTH(node))
    for element in node.iter("a", "script", "style"):
        if element is not node:
            total -= int(_TEXT_LENGTH(element))
    return max(total, 0)


def _box_candidates(root: Any) -> list[Any]:
    """The elements under ``root`` whose class or id names a boilerplate box, containers
    excluded: what :func:`is_boilerplate` tells, the same elements in the same order.

    The class and the id are tested one by one (a keyword is bounded by a space, ``_``,
    ``-`` or an end, so no match spans the space :func:`is_boilerplate` joins them with),
    and each distinct value once: a page repeats a few dozen class strings over hundreds of
    elements, and the regex over every element's marks was a third of the pruning's time.
    (Selecting only the elements with a matching value in XPath, ``@class=$v0 or ...``, was
    ten times slower: pages have up to 500 distinct matching values.)"""
    verdicts: dict[str, bool] = {}
    found: list[Any] = []
    last = None
    for value in _MARKS(root):
        verdict = verdicts.get(value)
        if verdict is None:
            verdict = verdicts[value] = BOILERPLATE.search(value) is not None
        if not verdict:
            continue
        element = value.getparent()
        if element is last:  # its class and its id both name a box
            continue
        last = element
        if element.tag not in _CONTAINERS:
            found.append(element)
    return found


def prune_boilerplate(root: Any) -> None:
    """Remove the boilerplate boxes under ``root`` (in place), except containers of the
    article itself: those holding ``<main>``, ``<article>`` or the ``<h1>``, and those
    holding a large share of the page's prose (:data:`PROSE_SHARE`, :data:`PROSE_MIN`).
    Class and id tokens are only a hint: real pages put whole articles in a Blogger
    ``widget Blog``, a ``l-sidebar-fixed`` column, a section whose id is made from its
    heading (``id="sharing-with-a-single-developer"``).
    Comment sections are always removed: their prose is the readers', not the article's."""
    doomed: list[Any] = []
    gone: set[Any] = set()  # lxml proxies are stable while referenced (``doomed`` holds them)
    page_prose = -1
    for element in _box_candidates(root):
        if any(a in gone for a in element.iterancestors()):
            continue  # inside a box already removed
        if next(element.iterdescendants(*_CONTAINERS), None) is not None:
            continue
        if not is_comments(element) and _TEXT_LENGTH(element) >= PROSE_MIN:
            if page_prose < 0:
                page_prose = prose_chars(root)
            if prose_chars(element) >= max(PROSE_MIN, PROSE_SHARE * page_prose):
                continue
        doomed.append(element)
        gone.add(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def has_chrome(markup: str) -> bool:
    """Whether ``markup`` may hold platform chrome at all (a substring test, so the tree
    is searched only on the pages of the platforms that put it there)."""
    return any(name in markup for name in CHROME)


def prune_chrome(root: Any, base: str) -> tuple[Link, ...]:
    """Remove platform chrome from ``root`` (in place); returns the attribution links it
    held (a reblog's link to what it reblogged)."""
    kept: list[Link] = []
    doomed = _CHROME_XPATH(root)
    for element in doomed:
        if classes(element) & ATTRIBUTION:
            kept += anchors(element, base)
        if element.getparent() is not None:
            element.drop_tree()
    return tuple(kept)


def _block_text(node: Any) -> str:
    """Text of ``node`` with a line break after every block element (paragraphs stay apart,
    so a snippet never runs two of them together)."""
    for element in node.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
    return clean_text(node.text_content())


def fragment_text(markup: str, base: str) -> tuple[str, tuple[Link, ...]]:
    """Main text and links of an HTML fragment (a feed entry's content): boilerplate boxes
    and chrome are not text, while every link counts (the entry *is* the main content)."""
    if not markup.strip():
        return "", ()
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, etree.ParserError):
        return "", ()
    links = anchors(root, base)
    prune_chrome(root, base)
    prune_boilerplate(root)
    for element in [e for e in root.iter() if e.tag in ("script", "style")]:
        if element.getparent() is not None:
            element.drop_tree()
    return _block_text(root), links
