"""The boilerplate candidates of a page: found from class and id values, the same elements in
the same order as asking :func:`is_boilerplate` of every element with a class or id.

``prune_boilerplate`` tests each distinct class/id value once instead of every element's
joined marks (#14, cheaper pruning). Whatever the shortcut, the boxes must be exactly those
the element-by-element rule names, on built pages (class and id both matching, only one,
keywords at the joint, containers, nested boxes) and on the 130 real pages of the shared
corpus (skipped without it). The parser's element class lookup (lxml's C default instead of
lxml.html's Python one) must change nothing extracted either.
"""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html as lxml_html

from bench.corpus import corpus_dir
from crawler import extract
from crawler.press import htmltext
from crawler.press.htmltext import (
    _CONTAINERS,
    _box_candidates,
    decode_html,
    is_boilerplate,
    parse_html,
    prune_boilerplate,
)


def _by_rule(root: Any) -> list[Any]:
    """What prune_boilerplate considered before: every marked element, one by one."""
    return [
        e
        for e in root.xpath("//*[@class or @id]")
        if e.tag not in _CONTAINERS and is_boilerplate(e)
    ]


def _same(root: Any) -> None:
    assert _box_candidates(root) == _by_rule(root)


def test_built_page_same_elements_same_order() -> None:
    root = parse_html(
        """<html><body class="has-sidebar"><main id="content">
        <div class="story">text</div>
        <div class="share" id="share">both class and id</div>
        <div class="x" id="related-stories">id only</div>
        <div class="most" id="read">no keyword across the joint</div>
        <div class="most-read"><ul class="menu"><li id="ad-slot">nested</li></ul></div>
        <div class="Sidebar_left">case and underscore</div>
        <div class="commentary">a longer word</div>
        <div class="share">repeated value</div><p class="share">again</p>
        <article class="related">a container</article><h1 class="promo">title</h1>
        </main></body></html>"""
    )
    assert root is not None
    found = _box_candidates(root)
    assert [e.text_content().strip()[:12] for e in found] == [
        "both class a",
        "id only",
        "nested",
        "nested",
        "nested",
        "case and und",
        "repeated val",
        "again",
    ]
    _same(root)


def test_page_without_boxes() -> None:
    root = parse_html("<html><body><div class='story' id='main'>text</div></body></html>")
    assert root is not None
    assert _box_candidates(root) == []
    _same(root)


def test_real_pages_same_candidates_and_pruned_trees() -> None:
    base = corpus_dir("readability-pages")
    if base is None:
        pytest.skip("no corpus: ../shared/corpus or $MEDIAMON_CORPUS")
    folders = sorted(p for p in base.iterdir() if (p / "source.html").is_file())
    assert len(folders) >= 100
    for folder in folders:
        root = parse_html(decode_html((folder / "source.html").read_bytes(), "text/html"))
        assert root is not None
        assert _box_candidates(root) == _by_rule(root), folder.name
        prune_boilerplate(root)  # the pruning itself still runs whole on every page


def test_every_element_is_an_html_element() -> None:
    root = parse_html("<html><body><form><input name=q><label>L</label></form></body></html>")
    assert root is not None
    assert {type(e) for e in root.iter()} == {lxml_html.HtmlElement}
    form = root.find(".//form")
    assert form is not None
    form.drop_tree()
    assert root.find(".//input") is None


def test_real_pages_extract_the_same_with_lxml_html_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = corpus_dir("readability-pages")
    if base is None:
        pytest.skip("no corpus: ../shared/corpus or $MEDIAMON_CORPUS")
    names = ("blogger", "mercurial", "nytimes-3", "yahoo-2", "wordpress")
    new_parser = htmltext._parser

    def html_lookup_parser() -> lxml_html.HTMLParser:
        parser = new_parser()
        parser.set_element_class_lookup(lxml_html.HtmlElementClassLookup())
        return parser

    for name in names:
        body = (base / name / "source.html").read_bytes()
        now = extract.extract_article(body, f"http://127.0.0.1/{name}")
        with monkeypatch.context() as patch:
            patch.setattr(htmltext, "_parser", html_lookup_parser)
            before = extract.extract_article(body, f"http://127.0.0.1/{name}")
            form = parse_html("<html><body><form></form></body></html>")
            assert form is not None
            assert type(form.find(".//form")) is lxml_html.FormElement  # the patch took
        assert now == before, name
        assert now.text
