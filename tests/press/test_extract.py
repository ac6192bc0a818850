"""Main-text extraction on good and bad pages, in process (``crawler.extract``).

Bad input never raises and never hangs: an empty page, a binary file served as HTML, broken
or mislabelled encodings, 10,000 nested divs (libxml2 stops at depth 255; the test is bounded
in time), a page whose only mention of the organisation is in boilerplate.
"""

from __future__ import annotations

from pathlib import Path

from crawler.extract import extract_article
from crawler.matching import MatchInput, compile_queries
from crawler.press.htmltext import decode_html, fragment_text, looks_binary

DATA = Path(__file__).parents[1] / "data" / "press"
ORG = compile_queries({"ora": '"Orbital Registry Agency" OR "International Orbital Registry"'})
URL = "https://news.example/articles/1"
POST_HOSTS = ("orbitalregistry.test",)


def matches(title: str, text: str) -> list[str]:
    return [m.name for m in ORG.match(MatchInput(title, text))]


def page(body: str, *, charset: str = "utf-8", head: str = "") -> str:
    paragraphs = "".join(
        f"<p>{body} Paragraph {i} carries enough ordinary words to look like an article.</p>"
        for i in range(6)
    )
    return (
        f"<html lang='en'><head><meta charset='{charset}'><title>A story</title>{head}</head>"
        f"<body><main><article><h1>A story</h1>{paragraphs}</article></main></body></html>"
    )


def test_main_text_title_date_and_main_text_links() -> None:
    body = (DATA / "article_with_links.html").read_bytes()
    article = extract_article(body, URL, link_hosts=POST_HOSTS)
    assert article.method == "trafilatura"
    assert article.title == "Registry numbers show crowded orbits"
    assert article.date is not None
    assert article.date.hour == 9
    assert article.is_article
    assert "International Orbital Registry" in article.text
    assert "http" not in article.text  # links are not rendered into the text
    urls = [u for u, _ in article.links]
    assert urls == [
        "http://www.orbitalregistry.test/2026/11/04/the-registry-in-numbers-2026-edition?utm_source=newsletter#top",
        "https://orbitalregistry.test/2026/11/06/spectrum-sharing-pilot-first-results/amp/",
    ]  # not the navigation's or the sidebar's
    assert dict(article.links)[urls[0]] == "the annual figures"


def test_links_are_skipped_on_pages_that_name_none_of_our_hosts() -> None:
    body = (DATA / "article_with_links.html").read_bytes()
    assert extract_article(body, URL, link_hosts=("elsewhere.test",)).links == ()


def test_boilerplate_only_page_is_not_a_mention() -> None:
    body = (DATA / "boilerplate_only.html").read_bytes()
    article = extract_article(body, URL, link_hosts=POST_HOSTS)
    assert "harbour board" in article.text.lower()
    assert matches(article.title, article.text) == []
    assert article.links == ()  # related box, sidebar and comment links do not count


def test_fallback_drops_boilerplate_boxes_too() -> None:
    # Too short for trafilatura: the fallback takes over, without the boxes.
    body = (
        "<html><body><main><p>Short note on the harbour.</p>"
        "<div class='related-stories'>Orbital Registry Agency news</div></main>"
        "<div class='comments'>Orbital Registry Agency fan here</div></body></html>"
    )
    article = extract_article(body, URL)
    assert "harbour" in article.text
    assert matches(article.title, article.text) == []


def test_empty_and_whitespace_pages() -> None:
    assert extract_article(b"", URL).problem == "empty"
    assert extract_article(b"  \n ", URL).problem == "empty"
    assert extract_article(b"<html><body></body></html>", URL).text == ""


def test_binary_served_as_html() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    assert looks_binary(png)
    article = extract_article(png, URL, "text/html; charset=utf-8")
    assert article.problem == "binary"
    assert article.text == ""


def test_utf8_page_labelled_latin1_is_read_as_utf8() -> None:
    body = page("Thérèse Ngoumou of the Orbital Registry Agency spoke.", charset="iso-8859-1")
    raw = body.encode("utf-8")
    article = extract_article(raw, URL, "text/html; charset=ISO-8859-1")
    assert "Thérèse Ngoumou" in article.text
    assert matches(article.title, article.text) == ["ora"]


def test_latin1_page_labelled_utf8_does_not_crash() -> None:
    raw = page("Thérèse Ngoumou of the Orbital Registry Agency spoke.").encode("cp1252")
    article = extract_article(raw, URL, "text/html; charset=utf-8")
    assert "Thérèse" in article.text  # utf-8 fails strictly: windows-1252 it is
    assert matches(article.title, article.text) == ["ora"]


def test_undeclared_and_broken_encodings() -> None:
    assert decode_html(b"caf\xc3\xa9") == "café"
    assert decode_html("\ufeffcafé".encode()) == "café"
    assert decode_html(b"\xff\xfec\x00a\x00") == "ca"
    assert decode_html(b"caf\xe9 \x81", "text/html; charset=nonsense").startswith("café ")
    truncated = page("The Orbital Registry Agency spoke.").encode()[:-300] + b"\xe2\x82"
    assert "Orbital Registry Agency" in extract_article(truncated, URL).text


def test_pathologically_nested_html_is_bounded() -> None:
    deep = "<div>" * 10_000 + "<p>The Orbital Registry Agency, deep inside.</p>" + "</div>" * 10_000
    body = f"<html><body><p>Top: nothing here.</p>{deep}</body></html>".encode()
    article = extract_article(body, URL)
    assert article.problem in ("", "no text")  # whatever libxml2 kept, no crash, no hang


def test_sections_are_read_for_their_links_only() -> None:
    body = (
        "<html><body><nav><a href='/local/'>Local</a></nav><main>"
        "<article class='teaser'><a href='/a/1'>The Orbital Registry Agency said</a></article>"
        "<article class='teaser'><a href='/a/2'>Second</a></article></main></body></html>"
    )
    article = extract_article(body, "https://news.example/", listing=True)
    assert article.problem == "section"
    assert article.text == ""
    assert [u for u, _ in article.links] == [
        "https://news.example/local/",
        "https://news.example/a/1",
        "https://news.example/a/2",
    ]


def test_feed_entry_html_without_reblog_chrome() -> None:
    markup = (
        '<div class="wpcom-reblog-snapshot"><div class="reblog-post">'
        '<p class="reblog-from"><a href="https://orbitalregistry.test/">ORA Blog</a></p>'
        '<div class="reblogged-content"><p>Six months ago the Agency began a pilot.</p></div>'
        '</div><p class="reblog-source"><a href="https://orbitalregistry.test/2026/11/06/p/">'
        "Source</a>: Spectrum pilot</p></div><div class='sharedaddy'>Share on X</div>"
    )
    text, links = fragment_text(markup, "https://notes.test/1/")
    assert text == "Six months ago the Agency began a pilot."
    assert ("https://orbitalregistry.test/2026/11/06/p/", "Source") in links
