"""Main-text extraction on good and bad pages, in process (``crawler.extract``).

Bad input never raises and never hangs: an empty page, a binary file (PNG, JPEG, PDF) served
as HTML, broken or mislabelled encodings (windows-1252 labelled UTF-8 and the reverse), 10,000
nested divs (libxml2 stops at depth 255; the test is bounded in time), a page without
``<body>``, 10 MB of one ``<div>`` per word, an article in a ``<table>``, a page whose only
mention of the organisation is in boilerplate, a language the detector does not know.
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


def test_a_short_page_keeps_the_links_whose_words_are_in_its_text() -> None:
    # trafilatura's short-page path keeps text without links: the page's anchors whose words
    # are in that text are its main-text links (read before extraction prunes the tree)
    body = (
        "<html><body><span>A short note on <a href='/2026/post'>the registry figures</a>"
        " from orbitalregistry.test today.</span>"
        "<div class='sidebar'><a href='https://orbitalregistry.test/x'>Sidebar pick</a></div>"
        "</body></html>"
    )
    article = extract_article(body, "https://orbitalregistry.test/a", link_hosts=POST_HOSTS)
    assert "the registry figures" in article.text
    assert article.links == (("https://orbitalregistry.test/2026/post", "the registry figures"),)


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


# -- the bad inputs of issue #14 ------------------------------------------------------------


def test_page_without_body() -> None:
    head_only = b"<html><head><title>Orbital Registry Agency</title></head></html>"
    article = extract_article(head_only, URL)
    assert article.text == ""
    assert article.problem == "no text"
    bare = ("<p>Thérèse Ngoumou of the Orbital Registry Agency spoke at length.</p>" * 6).encode()
    assert "Thérèse Ngoumou" in extract_article(bare, URL, "text/html").text


def test_ten_megabytes_of_one_div_per_word_is_refused_with_a_reason() -> None:
    words = [
        "orbit",
        "registry",
        "harbour",
        "satellite",
        "board",
        "window",
        "channel",
        "ship",
    ] * 80_000
    body = ("<html><body>" + "".join(f"<div>{w}</div>" for w in words) + "</body></html>").encode()
    assert len(body) > 10_000_000
    article = extract_article(body, URL)
    assert article.problem == "too many elements"
    assert article.text == ""


def test_main_content_in_a_table() -> None:
    rows = "".join(
        f"<tr><td>Row {i}: the Orbital Registry Agency counted {i * 7} objects"
        f" in the low orbits above the equator this quarter.</td></tr>"
        for i in range(12)
    )
    body = (
        "<html><head><title>Counts</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<table>{rows}</table></body></html>"
    ).encode()
    article = extract_article(body, URL)
    assert "counted 77 objects" in article.text
    assert matches(article.title, article.text) == ["ora"]


def test_pdf_and_image_served_as_html() -> None:
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"stream " * 500
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40
    assert extract_article(pdf, URL, "text/html; charset=utf-8").problem == "binary"
    assert extract_article(jpeg, URL, "text/html").problem == "binary"


def test_language_declared_then_header_then_detected_then_the_source_default() -> None:
    french = (
        "Le conseil du port a voté mardi pour ouvrir le chenal intérieur aux navires la nuit,"
        " mettant fin à une interdiction en vigueur depuis onze ans."
    )
    text_page = "".join(f"<p>{french} Paragraphe {i}.</p>" for i in range(6))
    declared = f"<html lang='pt-BR'><body><article>{text_page}</article></body></html>"
    assert extract_article(declared.encode(), URL, content_language="de").language == "pt-br"
    undeclared = f"<html><body><article>{text_page}</article></body></html>".encode()
    assert extract_article(undeclared, URL, content_language="de-AT, en").language == "de-at"
    assert extract_article(undeclared, URL).language == "fr"
    assert extract_article(undeclared, URL, default_language="it").language == "fr"


def test_a_language_the_detector_does_not_know_falls_back_to_the_source() -> None:
    toki_pona = (
        "mi olin e sina. sina pona mute. jan pona li kama tawa tomo mi. mi moku e kili."
        " ona li lukin e suno. tenpo suno ni li pona tawa mi. mi wile tawa ma tomo."
    )
    paragraphs = "".join(f"<p>{toki_pona} nanpa {i}.</p>" for i in range(6))
    body = f"<html><body><article>{paragraphs}</article></body></html>"
    article = extract_article(body.encode(), URL)
    assert article.text
    assert article.language == ""  # unknown, not a wrong guess
    assert extract_article(body.encode(), URL, default_language="tok").language == "tok"


def test_lang_filter_sees_the_detected_language() -> None:
    french = "".join(
        f"<p>Le conseil du port et l'Orbital Registry Agency ont voté mardi pour ouvrir le"
        f" chenal intérieur aux navires la nuit, paragraphe {i}.</p>"
        for i in range(6)
    )
    body = f"<html><body><article>{french}</article></body></html>".encode()
    article = extract_article(body, URL)
    queries = compile_queries(
        {"fr": '"Orbital Registry Agency" lang:fr', "en": '"Orbital Registry Agency" lang:en'}
    )
    found = queries.match(MatchInput(article.title, article.text, URL, article.language))
    assert [m.name for m in found] == ["fr"]
