from __future__ import annotations

from crawler.extract import extract_article, fallback_text

PAGE = (
    "<html lang='en'><head><title>Council backs plan | Meridian</title></head><body>"
    "<header><nav>Home Politics Science</nav></header><main><article><h1>Council backs plan</h1>"
    + "<p>The council backed the plan of the Orbis Union after a long debate. </p>"
    * 8
    + "</article></main><aside>Most read: something else entirely</aside>"
    "<footer>Copyright Meridian</footer></body></html>"
)


def test_trafilatura_extracts_the_main_text() -> None:
    article = extract_article(PAGE.encode(), "https://meridian.test/politics/plan")
    assert article.method == "trafilatura"
    assert "Orbis Union" in article.text
    assert "Most read" not in article.text
    assert "Copyright" not in article.text
    assert article.title.startswith("Council backs plan")


def test_fallback_drops_navigation_and_sidebars() -> None:
    text, title, language = fallback_text(PAGE)
    assert "Orbis Union" in text
    assert "Most read" not in text
    assert "Home Politics" not in text
    assert title.startswith("Council backs plan")
    assert language == "en"


def test_bad_input_never_raises() -> None:
    assert extract_article(b"", "https://x.test/").text == ""
    assert extract_article(b"\x00\xff\xfe", "https://x.test/").method in ("", "fallback")
