"""Extraction on real pages (the shared readability corpus): never worse than bare trafilatura.

Each page here once lost most of its article in mediamon while bare ``trafilatura.extract``
kept it: a Blogger post inside ``<div class="widget Blog">``, an article column classed
``l-sidebar-fixed``, sections whose ids are made from headings ("sharing-with-…"), pages
where trafilatura's own fallbacks (off with ``fast=True``) find the text, and pages whose HTML
comments split paragraphs. The corpus is read from ``../shared/corpus`` or
``$MEDIAMON_CORPUS``; without it these tests skip, saying so.
"""

from __future__ import annotations

import pytest
import trafilatura

from bench.bench_quality import PAGE_URL, expected_text, score, words
from bench.corpus import corpus_dir
from crawler.extract import extract_article

PAGES = (
    "blogger",
    "links-in-tables",
    "videos-1",
    "mercurial",
    "svg-parsing",
    "dev418",
    "missing-paragraphs",
    "nytimes-3",
    "nytimes-5",
    "yahoo-2",
)


@pytest.mark.parametrize("name", PAGES)
def test_recall_at_least_bare_trafilatura(name: str) -> None:
    base = corpus_dir("readability-pages")
    if base is None:
        pytest.skip("no corpus: ../shared/corpus or $MEDIAMON_CORPUS")
    body = (base / name / "source.html").read_bytes()
    want = words(expected_text(base / name / "expected.html"))
    ours = score(extract_article(body, PAGE_URL).text, want)
    bare = score(trafilatura.extract(body) or "", want)
    assert ours.recall >= bare.recall - 0.01, (ours, bare)
    assert ours.f1 >= bare.f1 - 0.01, (ours, bare)
