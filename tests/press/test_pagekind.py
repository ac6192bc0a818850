"""Article or listing without article markup (``crawler.press.pagekind``).

Real pages: the readability corpus pages that name their own URL (``<link rel=canonical>`` or
``og:url``) are articles, and most must be recognised from URL and structure alone, ignoring
their metadata. Listings: the sample web's home and section pages, and listing-shaped real
URLs, never are.
"""

from __future__ import annotations

import pytest

from bench.corpus import readability_pages
from crawler.press.htmltext import decode_html, parse_html
from crawler.press.pagekind import looks_like_article, url_evidence

POST = """<html><body class="single"><header><a href="/">Blog</a></header>
<main><article class="post"><h1>Five answers, three new questions</h1>
{paragraphs}</article></main><footer>(c) me</footer></body></html>"""
LISTING = """<html><body class="home"><main>{teasers}</main></body></html>"""
PARAGRAPH = "<p>" + "A sentence of running text about orbits and registries. " * 4 + "</p>"
TEASER = (
    '<article class="post"><h2><a href="/2026/10/{i:02d}/a-post-about-orbits/">A post about'
    " orbits</a></h2><p>The International Orbital Registry said a thing. […]</p></article>"
)


def tree(markup: str) -> object:
    root = parse_html(markup)
    assert root is not None
    return root


@pytest.mark.parametrize(
    ("url", "sign"),
    [
        ("https://blog.test/2026/10/28/five-answers-three-new-questions/", 1),
        ("https://news.test/politics/a-guide-to-the-spectrum-conference-20434.html", 1),
        ("http://money.cnn.com/2016/02/01/news/economy/poverty-inequality/index.html", 1),
        ("https://blog.test/", -1),
        ("https://blog.test/category/space/", -1),
        ("https://blog.test/tag/orbits/page/2/", -1),
        ("https://blog.test/about/", 0),
        ("https://blog.test/2026/10/", 0),
    ],
)
def test_url_evidence(url: str, sign: int) -> None:
    score = url_evidence(url)
    assert (score > 0) - (score < 0) == sign


def test_a_post_without_markup_is_an_article_and_its_blog_home_is_not() -> None:
    post = tree(POST.format(paragraphs=PARAGRAPH * 6))
    assert looks_like_article(post, "https://blog.test/2026/10/28/five-answers-three-new/")
    assert not looks_like_article(post, "https://blog.test/about/")  # the URL says nothing
    home = tree(LISTING.format(teasers="".join(TEASER.format(i=i) for i in range(1, 8))))
    assert not looks_like_article(home, "https://blog.test/")
    assert not looks_like_article(home, "https://blog.test/2026/10/28/five-answers-three-new/")


def test_real_articles_are_recognised_without_their_metadata() -> None:
    pages = readability_pages()
    if not pages:
        pytest.skip("no corpus: ../shared/corpus or $MEDIAMON_CORPUS")
    judged = recognised = 0
    for folder in pages:
        root = parse_html(decode_html((folder / "source.html").read_bytes()))
        assert root is not None
        url = next(
            (
                str(e.get("href") or e.get("content") or "")
                for e in root.xpath('//link[@rel="canonical"] | //meta[@property="og:url"]')
            ),
            "",
        )
        if not url.startswith("http") or folder.name in ("nytimes-5", "yahoo-2"):
            continue  # no URL of its own; nytimes-5 and yahoo-2 are front pages
        judged += 1
        recognised += looks_like_article(root, url)
    assert judged >= 60
    assert recognised / judged >= 0.85, (recognised, judged)
