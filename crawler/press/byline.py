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

from typing import Any

from lxml.etree import XPath
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_metainfo


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

#: trafilatura.xpaths.AUTHOR_DISCARD_XPATHS, translated.
AUTHOR_DISCARD_XPATHS = [
    XPath(
        _elements(
            {
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
            },
            "a div section span",
        )
    ),
    XPath("//time|//figure"),
]


def find_byline(root: Any) -> str:
    """The page's byline as trafilatura's ``extract_author`` finds it ("" when none), without
    its copy of the whole tree: the boxes where bylines are not are removed from ``root``
    itself, so the caller runs this last."""
    prune_unwanted_nodes(root, AUTHOR_DISCARD_XPATHS)
    author = extract_metainfo(root, AUTHOR_XPATHS, len_limit=120)
    return str(normalize_authors(None, author) or "") if author else ""
