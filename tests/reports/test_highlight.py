"""Snippet highlighting: offsets first, terms as a fallback, and never unescaped web text."""

from __future__ import annotations

from reports.highlight import Segment, highlight, mark_html, mark_text, term_spans


def test_hits_are_offsets_into_the_snippet() -> None:
    segments = highlight("The Orbis Union said", hits=[(4, 15)])
    assert segments == (Segment("The "), Segment("Orbis Union", True), Segment(" said"))
    assert mark_text(segments) == "The *Orbis Union* said"


def test_overlapping_and_out_of_range_hits() -> None:
    text = "ITU and the ITU"
    assert highlight(text, hits=[(0, 3), (1, 3), (12, 15)]) == (
        Segment("ITU", True),
        Segment(" and the "),
        Segment("ITU", True),
    )
    # Offsets that do not fit the snippet are ignored in favour of the terms.
    assert highlight(text, hits=[(40, 50)], terms=["itu"])[0] == Segment("ITU", True)


def test_terms_are_found_case_insensitively_on_word_boundaries() -> None:
    text = "The ITUC met the itu in Geneva."
    assert term_spans(text, ['"ITU"']) == [(17, 20)]
    assert term_spans("Orbis\n Union", ['"Orbis Union"']) == [(0, 12)]
    assert term_spans(text, ["-Geneva", "OR", ""]) == []
    assert term_spans("title:Geneva", ["title:geneva"]) == [(6, 12)]
    # Scripts without spaces have no word boundaries: fall back to any position.
    assert term_spans("国际电信联盟ITU会议", ["ITU"]) == [(6, 9)]


def test_long_snippet_is_windowed_around_the_first_hit() -> None:
    text = "word " * 200 + "Orbis Union " + "tail " * 200
    start = text.index("Orbis")
    segments = highlight(text, hits=[(start, start + 11)], max_chars=120)
    assert segments[0].text.startswith("…word")
    assert segments[-1].text.endswith("tail…")
    assert Segment("Orbis Union", True) in segments
    assert sum(len(s.text) for s in segments) <= 122


def test_html_escapes_web_text_and_only_marks_are_markup() -> None:
    snippet = '<script>alert(1)</script> Orbis <img src=x onerror="alert(2)">'
    html = mark_html(highlight(snippet, terms=["Orbis"]))
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>Orbis</mark>" in html
    assert html.count("<") == html.count("<mark>") + html.count("</mark>")
