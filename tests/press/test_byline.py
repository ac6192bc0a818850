"""The byline search selects what trafilatura's own expressions select (#14).

``crawler.press.byline`` rewrites trafilatura's ``AUTHOR_XPATHS`` and
``AUTHOR_DISCARD_XPATHS`` (EXSLT regular expressions, every element tested) as tests on
attribute nodes. These tests run both on pages built to hit every clause (each regular
expression's alternatives, anchors and letter cases, near misses, nested boxes) and on the
130 real readability pages when the shared corpus is present, and compare the elements
selected and the byline found. A trafilatura upgrade that changes its expressions fails here.
"""

from __future__ import annotations

import copy

import pytest
from trafilatura.metadata import extract_author
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS as THEIR_DISCARD
from trafilatura.xpaths import AUTHOR_XPATHS as THEIRS

from bench.corpus import readability_pages
from crawler.press import byline
from crawler.press.byline import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS, find_byline
from crawler.press.htmltext import decode_html, parse_html

#: One element per clause of the expressions, and near misses (wrong tag, wrong case,
#: anchored patterns not at the start).
CLAUSES = """
<a rel="author">Ann Rel</a><span rel="author">Span Rel</span><em rel="author">Em Rel</em>
<div id="author">Id Author</div><p class="author">Class Author</p>
<address class="x authorname">Address Name</address><strong class="author-name y">Strong</strong>
<link class="AuthorName"><span class="authorName">Camel</span><span class="Authorname">No</span>
<span itemprop="author name">Itemprop</span><span itemprop="author">Item author</span>
<div data-testid="AuthorCard">Card</div><div data-testid="AuthorURL">Url</div>
<div data-testid="authorcard">No card</div><div><rel>me</rel>Rel me</div><author>Tag</author>
<h3 class="byline">H3 byline</h3><h4 class="username">User</h4><p class="byl">Byl</p>
<span class="BBL">Bbl</span><span class="bbl">no</span><div id="zuozhe">Zz</div>
<div id="x-bianji">Bj</div><div id="xiaobian1">Xb</div><div class="channel-name">Ch</div>
<div class="submitted-by">Sb</div><div class="posted-by">Pb</div>
<div class="journalist-name">Jn</div><h2 class="author">H2 author</h2>
<section data-component="Byline">Comp</section><section id="Author-box">Id A</section>
<section class="screenname">Sn</section><section class="writer">Wr</section>
<section class="Byline">By</section><section class="byline">by</section>
<div id="comments">Discard</div><div class="comments">D</div><span class="title">T</span>
<span class="date">Dt</span><div id="comments-2">D2</div><div id="x-comments">kept</div>
<div id="commentlist">D3</div><div id="comment-list">D4</div><div id="ProductReviews">D5</div>
<div class="Comments x">D6</div><div class="x comments">kept</div>
<div class="a commentlist">D7</div><div class="comments-list">D8</div>
<div class="sidebar-left">D9</div><span class="is-hidden">D</span>
<div class="blockquote">D</div><div class="embedly-instagram">D</div>
<div class="article-share">D</div><div class="article-support">D</div>
<div class="article-shares">D</div><div class="printable">D</div><div class="category">D</div>
<div class="meta-date">D</div><div class="meta-reviewer">D</div>
<div data-component="Figure">D</div><p class="sidebar">not a discarded tag</p>
<time>t</time><figure>f</figure>
"""


def page(body: str) -> str:
    return f"<html><head><title>t</title></head><body>{body}</body></html>"


def real_pages() -> list[str]:
    return [decode_html((p / "source.html").read_bytes()) for p in readability_pages()]


def assert_same_selections(markup: str) -> None:
    root = parse_html(markup)
    assert root is not None
    for ours, theirs in zip(
        [*AUTHOR_XPATHS, *AUTHOR_DISCARD_XPATHS], [*THEIRS, *THEIR_DISCARD], strict=True
    ):
        assert ours(root) == theirs(root), theirs.path
    # the one-element form the search tests candidates with: the same boxes
    boxes = {e for expression in THEIR_DISCARD for e in expression(root)}
    assert set(root.xpath(f"//*[{byline._DISCARDED}]")) == boxes


def test_every_clause_selects_what_trafilatura_selects() -> None:
    assert_same_selections(page(CLAUSES))
    root = parse_html(page(CLAUSES))
    assert root is not None
    assert [len(x(root)) for x in AUTHOR_XPATHS] == [13, 16, 17]  # not vacuous


@pytest.mark.parametrize(
    "body",
    [
        '<div class="comments"><span class="author">Reader One</span></div>'
        '<p class="byline">By Jane Writer</p>',
        '<aside class="sidebar"><a rel="author">Side Bar</a></aside>'
        '<div class="post"><span class="author-name">Jane Writer</span></div>',
        '<p>No byline here at all.</p><span class="author">x</span>',
        '<div class="post-author"><a href="/u/1">Jane  Writer</a></div>',
        # the byline holds boxes the pruning removes: their text goes, their tails stay and
        # join their neighbours (no space added: "ByJane")
        '<p class="byline">By<time>May 4</time>Jane<span class="date">x</span> Writer</p>',
        '<div class="author"><figure>pic</figure><span class="title">T</span></div>'
        '<span class="byline">Jo<figure>f</figure>hn Roe</span>',
        # candidates inside a removed box, or removed boxes themselves
        '<div class="sidebar"><span class="author">Side Man</span></div>'
        '<span class="author date">Date Man</span><a class="author">Link Man</a>',
        # a <rel> element: the whole tree is pruned first, as trafilatura does
        '<div><rel>m<time>x</time>e</rel>Rel Man</div><p class="byline">By Jane Writer</p>',
    ],
)
def test_byline_as_trafilatura_finds_it(body: str) -> None:
    root = parse_html(page(body))
    assert root is not None
    want = extract_author(copy.deepcopy(root)) or ""
    assert find_byline(root) == want


def test_real_pages_select_and_find_the_same() -> None:
    pages = real_pages()
    if not pages:
        pytest.skip("no corpus: ../shared/corpus or $MEDIAMON_CORPUS")
    found = 0
    for markup in pages:
        assert_same_selections(markup)
        root = parse_html(markup)
        assert root is not None
        want = extract_author(copy.deepcopy(root)) or ""
        assert find_byline(root) == want
        found += bool(want)
    assert found > 50
