"""Snippets: the sentence (or two) around the first hit, cut at whitespace, hits re-based."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.domain import Hit
from crawler.matching import make_snippet

TEXT = (
    "Geneva, 3 May. The conference opened on Monday. Dr. Touré, the ITU Secretary-General, "
    "said the Orbis Union would help.  Delegates from 150 countries attended.\n"
    "Another paragraph follows here. And more text at the end."
)


def hit(text: str, word: str, term: str = "t") -> Hit:
    start = text.index(word)
    return Hit(term, start, start + len(word))


def shown(text: str, hits: list[Hit], max_chars: int = 300) -> tuple[str, list[str]]:
    snippet = make_snippet(text, hits, max_chars)
    return snippet.text, [snippet.text[a:b] for a, b in snippet.highlights]


def test_sentence_around_the_first_hit_plus_the_next() -> None:
    text, marked = shown(TEXT, [hit(TEXT, "Orbis Union"), hit(TEXT, "ITU")])
    assert text == (
        "Dr. Touré, the ITU Secretary-General, said the Orbis Union would help. "
        "Delegates from 150 countries attended."
    )
    assert marked == ["ITU", "Orbis Union"]


def test_abbreviations_and_initials_do_not_end_a_sentence() -> None:
    text = "Intro here. Mr. J. Smith of the ITU spoke."
    assert shown(text, [hit(text, "ITU")], 40)[0] == "Mr. J. Smith of the ITU spoke."


def test_a_line_break_ends_a_sentence() -> None:
    text, marked = shown(TEXT, [hit(TEXT, "Another")], 60)
    assert text == "Another paragraph follows here. And more text at the end."
    assert marked == ["Another"]


def test_only_one_sentence_when_two_do_not_fit() -> None:
    text, _ = shown(TEXT, [hit(TEXT, "ITU")], 80)
    assert text == "Dr. Touré, the ITU Secretary-General, said the Orbis Union would help."


def test_long_sentence_is_cut_at_whitespace_with_ellipses() -> None:
    text = "word " * 200 + "ITU " + "word " * 200
    snippet, marked = shown(text, [hit(text, "ITU")], 100)
    assert len(snippet) <= 100
    assert snippet.startswith("…word")
    assert snippet.endswith("word…")
    assert marked == ["ITU"]
    assert "  " not in snippet


def test_no_hits_gives_the_lead() -> None:
    assert shown(TEXT, [])[0] == "Geneva, 3 May. The conference opened on Monday."


def test_whitespace_is_collapsed_and_highlights_follow() -> None:
    text = "First.\n\nThe   Orbis\n union   met today. Then left.\nNext paragraph."
    snippet, marked = shown(text, [hit(text, "Orbis\n union")])
    assert snippet == "The Orbis union met today. Then left."
    assert marked == ["Orbis union"]


def test_hits_outside_the_text_are_ignored() -> None:
    assert shown("Short text.", [Hit("x", 50, 60)])[0] == "Short text."


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.lists(st.sampled_from(["word", "ITU", "Dr.", "end.", "\n", "x!", "  "]), max_size=120),
    st.integers(20, 300),
)
def test_snippet_is_bounded_and_highlights_the_hit(words: list[str], max_chars: int) -> None:
    text = " ".join(words)
    hits = []
    if "ITU" in text:
        hits = [hit(text, "ITU")]
    snippet = make_snippet(text, hits, max_chars)
    assert len(snippet.text) <= max_chars
    for a, b in snippet.highlights:
        assert snippet.text[a:b] == "ITU"
    if hits:
        assert len(snippet.highlights) >= 1
