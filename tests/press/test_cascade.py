"""trafilatura's cascade as ``crawler.press.cascade`` runs it: ``bare_extraction``'s results.

The module follows trafilatura's private steps (``core.trafilatura_sequence``,
``bare_extraction``'s tail). If a trafilatura release moves or changes them, these tests fail:
the import fails on a renamed step, the version test on another release, and the comparisons
on a changed behaviour, on built pages and (with the shared corpus) on all 130 real pages.
"""

from __future__ import annotations

import copy
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import trafilatura
from lxml import etree

from bench.corpus import readability_pages
from crawler import extract
from crawler.press import cascade
from crawler.press.htmltext import decode_html, parse_html, prune_boilerplate

ROOT = Path(__file__).resolve().parents[2]
URL = "http://news.test/2026/12/07/story"
SENTENCE = (
    "The Orbital Registry Agency said on Monday that the debris register would list every "
    "break-up, collision and unplanned release in low orbit, with dates and operators. "
)


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>t</title>{head}</head><body>{body}</body></html>"


#: Built pages that take each branch: a long article (main extractor only), a short one (the
#: baseline rescue and the recall escalation), a page of divs (the wild-text recovery), a
#: forum thread (comments not pruned), a page with a teaser block (no continuation), links.
BUILT = [
    page(f"<article><h1>Debris</h1>{'<p>' + SENTENCE * 3 + '</p>' * 8}</article>"),
    page(f"<div class='nav'><a href='/a'>Home</a></div><p>{SENTENCE}</p><footer>f</footer>"),
    page("".join(f"<div>{SENTENCE}<span>{i}</span></div>" for i in range(12))),
    page(
        f"<div class='comments'><p>{SENTENCE * 2}</p></div><div><p>{SENTENCE}</p></div>",
        head='<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>',
    ),
    page(
        f"<div class='teaser'><p>{SENTENCE * 2}</p></div><p>{SENTENCE[:60]}</p>"
        f"<div class='article-Teaser'>{SENTENCE}</div>"
    ),
    page(
        f"<main><p>{SENTENCE}<a href='https://orbis.test/post'>our post</a>.</p>"
        f"<p>{SENTENCE * 2}</p><ul><li>{SENTENCE}</li><li><a href='/x'>x</a></li></ul></main>"
    ),
    page("<p>Too short.</p>"),
]


def outcome(doc: Any) -> tuple[str, bytes] | None:
    """What mediamon reads of a result: its text and its tree."""
    if doc is None or doc.body is None:
        return None
    return str(doc.text), etree.tostring(doc.body)


def bare(root: Any, options: dict[str, Any]) -> tuple[str, bytes] | None:
    return outcome(trafilatura.bare_extraction(copy.deepcopy(root), url=URL, **options))


def assert_both_paths_as_bare_extraction(markup: str, *, links: bool) -> bool:
    """Both paths' results are bare_extraction's; whether the full path was continued."""
    root = parse_html(markup)
    assert root is not None
    prune_boilerplate(root)
    run = cascade.fast_path(root, URL, links=links)
    assert outcome(run.result) == bare(root, extract._FAST if links else extract._FAST_TEXT)
    if not cascade.teaser_free(root):
        return False
    full = cascade.full_path(run, URL, links=links)
    assert outcome(full) == bare(root, extract._FULL if links else extract._FULL_TEXT)
    return True


def test_the_trafilatura_release_it_follows() -> None:
    # the pinned range (pyproject.toml) is the one this module's steps were read from
    assert version("trafilatura").startswith("2.3.")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "trafilatura>=2.3,<2.4" in project["project"]["dependencies"]


@pytest.mark.parametrize("links", [True, False])
@pytest.mark.parametrize("markup", BUILT)
def test_built_pages_as_bare_extraction(markup: str, links: bool) -> None:
    assert_both_paths_as_bare_extraction(markup, links=links)


def test_a_teaser_block_stops_the_continuation() -> None:
    teaser, plain = parse_html(BUILT[4]), parse_html(BUILT[0])
    assert teaser is not None
    assert plain is not None
    assert not cascade.teaser_free(teaser)
    assert cascade.teaser_free(plain)


def test_real_pages_as_bare_extraction() -> None:
    pages = readability_pages()
    if not pages:
        pytest.skip("no corpus: ../shared/corpus or $MEDIAMON_CORPUS")
    continued = sum(
        assert_both_paths_as_bare_extraction(
            decode_html((folder / "source.html").read_bytes()), links=True
        )
        for folder in pages
    )
    assert continued > 100  # most real pages have no teaser block


def assert_consuming_main_text_is_the_same(markup: str, *, links: bool) -> bool:
    """``main_text`` consuming the page's tree finds what it finds on a copy; returns
    whether the tree it was given changed (never on a page with a teaser block)."""

    def prepared() -> Any:
        root = parse_html(markup)
        assert root is not None
        prune_boilerplate(root)
        return root

    kept = prepared()
    want = extract.main_text(kept, URL, links=links)
    assert etree.tostring(kept) == etree.tostring(prepared())  # not consumed: untouched
    for hint in (None, markup):
        taken = prepared()
        assert extract.main_text(taken, URL, links=links, consume=True, markup=hint) == want
    return etree.tostring(taken) != etree.tostring(prepared())


@pytest.mark.parametrize("links", [True, False])
@pytest.mark.parametrize("markup", BUILT)
def test_built_pages_the_same_when_the_tree_is_consumed(markup: str, links: bool) -> None:
    changed = assert_consuming_main_text_is_the_same(markup, links=links)
    assert not changed or cascade.teaser_free(parse_html(markup))


def test_a_teaser_page_whose_fast_path_kept_too_little_keeps_its_tree_whole() -> None:
    # the fast path drops the table of links: its text is under a fifth of the visible text,
    # and the page's teaser block sends the full path back to the whole page
    rows = "".join(f"<tr><td><a href='/x{i}'>{SENTENCE}</a></td></tr>" for i in range(8))
    markup = page(f"<div class='teaser'>A teaser.</div><p>{SENTENCE}</p><table>{rows}</table>")
    root = parse_html(markup)
    assert root is not None
    prune_boilerplate(root)
    whole = etree.tostring(root)
    text, found = extract.main_text(root, URL, links=False, consume=True)
    assert SENTENCE.strip() in text
    assert found == ()
    assert etree.tostring(root) == whole  # bare_extraction had the page whole
    assert not assert_consuming_main_text_is_the_same(markup, links=True)


def test_the_markup_spares_the_teaser_search_only_where_it_cannot_find_one() -> None:
    teaser, plain = BUILT[4], BUILT[0]
    assert not cascade.teaser_free(parse_html(teaser), teaser)
    assert cascade.teaser_free(parse_html(plain), plain)
    # a tree with a teaser block, said to come from markup without one: the markup answers
    assert cascade.teaser_free(parse_html(teaser), plain)


def test_real_pages_the_same_when_the_tree_is_consumed() -> None:
    pages = readability_pages()
    if not pages:
        pytest.skip("no corpus: ../shared/corpus or $MEDIAMON_CORPUS")
    for folder in pages:
        assert_consuming_main_text_is_the_same(
            decode_html((folder / "source.html").read_bytes()), links=True
        )


def test_a_consuming_fast_path_works_on_the_tree_it_is_given() -> None:
    root = parse_html(BUILT[1])
    assert cascade.fast_path(root, URL, links=True, consume=True).tree is root
    assert cascade.fast_path(root, URL, links=True).tree is not root
