"""The byline search of trafilatura (``extract_author``), as XPath that libxml2 runs fast.

trafilatura finds a byline with three XPath expressions over the whole page, after pruning
the boxes where bylines are not (comments, sidebars, dates, figures). Its expressions test
every element against a dozen ``contains(@class, ...)`` and EXSLT ``re:test`` clauses (the
latter a Python callback per element in lxml): on the readability pages that search cost
about as much as the rest of the metadata together (8 % of a crawl's samples, BENCHMARKS.md
#14). Every one of those regular expressions is a plain alternation of literals
(``author|zuozhe``, ``^comments``, ``[Aa]uthor``), and every predicate is a disjunction of
tests on single attributes, so the same selection is: the attribute nodes that pass their
test (``//@class[contains(., 'author') or ...]``), then their elements, filtered by tag.
libxml2 then visits only attributes, not every element with every clause: 2x faster, the
same elements in the same document order (tests compare the selections with trafilatura's
own expressions). Pure.
"""

from __future__ import annotations

from copy import copy
from typing import Any

from lxml.etree import XPath
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_metainfo
from trafilatura.utils import trim


def _test(function: str, *literals: str) -> str:
    """``function(., literal)`` for each literal (the context is an attribute), or-ed."""
    return " or ".join(f"{function}(., '{literal}')" for literal in literals)


def _equals(*literals: str) -> str:
    return " or ".join(f".='{literal}'" for literal in literals)


def _elements(tests: dict[str, str], tags: str = "") -> str:
    """The elements (of one of ``tags``, any when empty) with an attribute passing its test."""
    union = "|".join(f"//@{name}[{test}]" for name, test in tests.items())
    kinds = " or ".join(f"self::{tag}" for tag in tags.split())
    return f"({union})/parent::*" + (f"[{kinds}]" if kinds else "")


_TAGS_1 = "a address div link p span strong"
_TAGS_2 = "a div h3 h4 p span"

#: trafilatura.xpaths.AUTHOR_XPATHS, translated (its comments there say what each is for).
AUTHOR_XPATHS = [
    XPath(
        _elements(
            {
                "rel": _equals("author"),
                "id": _equals("author"),
                "class": _equals("author")
                + " or "
                + _test("contains", "authorname", "author-name", "AuthorName", "authorName"),
                "itemprop": _equals("author name"),
                "data-testid": _equals("AuthorCard", "AuthorURL"),
            },
            _TAGS_1,
        )
        # ``rel='me'`` there is a child element <rel> whose text is "me"
        + f"|//rel[.='me']/parent::*[{' or '.join(f'self::{t}' for t in _TAGS_1.split())}]"
        + "|//author"
    ),
    XPath(
        _elements(
            {
                "class": _equals("byline", "username", "byl", "BBL")
                + " or "
                + _test(
                    "contains",
                    "author",
                    "channel-name",
                    "zuozhe",
                    "bianji",
                    "xiaobian",
                    "submitted-by",
                    "posted-by",
                    "journalist-name",
                ),
                "itemprop": _test("contains", "author"),
                "id": _test("contains", "author", "zuozhe", "bianji", "xiaobian"),
            },
            _TAGS_2,
        )
    ),
    XPath(
        _elements(
            {
                "data-component": _test("contains", "Byline"),
                "itemprop": _test("contains", "author"),
                "id": _test("contains", "author", "Author"),
                "class": _test(
                    "contains", "author", "Author", "screenname", "writer", "byline", "Byline"
                ),
            }
        )
    ),
]

_DISCARD_TAGS = "a div section span"
#: trafilatura.xpaths.AUTHOR_DISCARD_XPATHS's tests on attributes (its first expression).
_DISCARD_TESTS = {
    "id": _equals("comments")
    + " or "
    + _test("starts-with", "comments")
    + " or "
    + _test("contains", "commentlist", "comment-list", "ProductReviews"),
    "class": _equals("comments", "title", "date")
    + " or "
    + _test("starts-with", "Comments", "comments")
    + " or "
    + _test(
        "contains",
        "commentlist",
        "comments-list",
        "sidebar",
        "is-hidden",
        "quote",
        "embedly-instagram",
        "article-share",
        "article-support",
        "print",
        "category",
        "meta-date",
        "meta-reviewer",
    ),
    "data-component": _test("contains", "Figure"),
}

#: trafilatura.xpaths.AUTHOR_DISCARD_XPATHS, translated.
AUTHOR_DISCARD_XPATHS = [
    XPath(_elements(_DISCARD_TESTS, _DISCARD_TAGS)),
    XPath("//time|//figure"),
]

#: The same boxes as a test on one element (``self``), for the relative forms below.
_DISCARDED = (
    "(("
    + " or ".join(f"self::{tag}" for tag in _DISCARD_TAGS.split())
    + ") and ("
    + " or ".join(f"@{name}[{test}]" for name, test in _DISCARD_TESTS.items())
    + ")) or self::time or self::figure"
)
#: Whether an element is in a discarded box (or is one): it would be gone after the pruning.
_IN_DISCARDED = XPath(f"boolean(ancestor-or-self::*[{_DISCARDED}])")
#: Whether an element holds a discarded box: its text after the pruning is not its text now.
_HOLDS_DISCARDED = XPath(f"boolean(descendant::*[{_DISCARDED}])")
#: AUTHOR_DISCARD_XPATHS under one element, in the same order.
_DISCARD_BELOW = [
    XPath(
        "descendant::*["
        + " or ".join(f"self::{tag}" for tag in _DISCARD_TAGS.split())
        + "]["
        + " or ".join(f"@{name}[{test}]" for name, test in _DISCARD_TESTS.items())
        + "]"
    ),
    XPath("descendant::time|descendant::figure"),
]
#: extract_author's limit on a byline's length.
_LEN_LIMIT = 120


def _text_after_pruning(element: Any) -> str:
    """``element``'s text as trafilatura reads it once the discarded boxes are gone: they are
    removed from a copy of the element (a byline is small), the same way and in the same order
    as from the whole tree, so tails join the same neighbours."""
    if _HOLDS_DISCARDED(element):
        element = prune_unwanted_nodes(copy(element), _DISCARD_BELOW)
    return str(trim(" ".join(element.itertext())))


def _first_byline(root: Any) -> str:
    """extract_metainfo(AUTHOR_XPATHS) on the pruned tree, without pruning it: the
    candidates of the unpruned tree that the pruning would have removed are skipped, and
    each one's text is read as the pruning would have left it. Pruning selected and removed
    the discarded boxes over the whole page (~1.7 ms of the search's ~2.3 ms a page: #14);
    this tests the few candidates read before the first byline. The same result on every
    page whose candidates are chosen by attributes and tags alone, that is unless it has a
    ``<rel>`` element (whose text the pruning could change)."""
    for expression in AUTHOR_XPATHS:
        for element in expression(root):
            if _IN_DISCARDED(element):
                continue
            content = _text_after_pruning(element)
            if content and 2 < len(content) < _LEN_LIMIT:
                return content
    return ""


def find_byline(root: Any) -> str:
    """The page's byline as trafilatura's ``extract_author`` finds it ("" when none); ``root``
    is left as it is. Only on a page with a ``<rel>`` element (none of the 130 readability
    pages) is the whole tree copied and pruned, as trafilatura does; on others
    :func:`_first_byline` reads the tree in place."""
    if next(root.iter("rel"), None) is None:
        author = _first_byline(root)
    else:
        pruned = prune_unwanted_nodes(copy(root), AUTHOR_DISCARD_XPATHS)
        author = extract_metainfo(pruned, AUTHOR_XPATHS, len_limit=_LEN_LIMIT) or ""
    return str(normalize_authors(None, author) or "") if author else ""
