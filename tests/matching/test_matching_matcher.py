"""The compiled matcher: word boundaries, normalisation, fields, offsets, reported terms."""

from __future__ import annotations

import pytest

from crawler.domain import Hit
from crawler.matching import (
    MatchInput,
    QuerySyntaxError,
    compile_queries,
    normalize,
    normalize_term,
)


def names(queries: dict[str, str], text: str, title: str = "", **meta: str) -> list[str]:
    matcher = compile_queries(queries)
    return [m.name for m in matcher.match(MatchInput(title=title, text=text, **meta))]


def matches(query: str, text: str, title: str = "", **meta: str) -> bool:
    return names({"q": query}, text, title, **meta) == ["q"]


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        # word boundaries: letters and digits continue a word, everything else ends it
        ("ITU", "The ITU met.", True),
        ("ITU", "The ITUC met.", False),
        ("ITU", "ITU2 is a code", False),
        ("ITU", "the SITU report", False),
        ("ITU", "(ITU)", True),
        ("ITU", "ITU's work", True),
        ("ITU", "ITU-T standards", True),
        ("ITU", "ITU_x", True),
        ("ITU", "ITUé", False),
        (".NET", "we use .NET today", True),
        ("C++", "written in C++.", True),
        # case-insensitive vs case-sensitive
        ("ITU", "itu adalah", True),
        ("{ITU}", "itu adalah", False),
        ("{ITU}", "the ITU said", True),
        ("{ITU}", "the ITUC said", False),
        ("{ITU}", "I T U", False),
        ('{"ITU Council"}', "the ITU  Council met", True),
        ('{"ITU Council"}', "the ITU council met", False),
        # diacritics both ways, composed and decomposed
        ("Toure", "Mr Touré said", True),
        ("Touré", "Mr Toure said", True),
        ("Touré", "Mr Toure\u0301 said", True),
        ("TOURÉ", "mr touré said", True),
        ("{Touré}", "Mr Toure said", False),
        ("{Touré}", "Mr Toure\u0301 said", True),
        ("Zurich", "in Zürich", True),
        ("strasse", "die Hauptstraße", False),
        ("hauptstrasse", "die Hauptstraße", True),
        ("finance", "\ufb01nance news", True),
        # dashes, quotes and whitespace
        ('"WCIT-12"', "at WCIT\u201112 in Dubai", True),
        ('"WCIT-12"', "at WCIT–12 in Dubai", True),
        ("WCIT-12", "at WCIT—12", True),
        ('"WCIT-12"', "at WCIT-123", False),
        ("O'Brien", "Ms O’Brien said", True),
        ("O’Brien", "Ms O'Brien said", True),
        ('"Orbis Union"', "the Orbis\n\n  Union met", True),
        ('"Orbis Union"', "the Orbis\u00a0Union met", True),
        ('"Orbis Union"', "the OrbisUnion met", False),
        ("Orbis-Union", "the Orbis-Union pact", True),
        ("Orbis-Union", "the Orbis Union pact", False),
        ("softhyphen", "a soft\u00adhyphen", True),
        # scripts without spaces between words: no boundary required
        ("東京", "私は東京に住んでいます", True),
        # booleans
        ("ITU AND Council", "ITU Council", True),
        ("ITU AND Council", "ITU only", False),
        ("ITU OR Council", "Council only", True),
        ("ITU -Istanbul", "ITU in Istanbul", False),
        ("ITU -Istanbul", "ITU in Geneva", True),
        ('ITU -"Istanbul Technical University"', "ITU Istanbul", True),
        ("-foo", "anything at all", True),
        ("-foo", "a foo here", False),
        # NEAR: at most n words between, either order, same field
        ("Orbis NEAR/0 Union", "Orbis Union", True),
        ("Orbis NEAR/0 Union", "Union, Orbis", True),
        ("Orbis NEAR/0 Union", "Orbis big Union", False),
        ("Orbis NEAR/1 Union", "Orbis big Union", True),
        ("Orbis NEAR/1 Union", "Orbis – big Union", True),  # a lone dash is not a word
        ("Orbis NEAR/2 Union", "Union was, said Orbis", True),
        ("Orbis NEAR/1 Union", "Union was, said Orbis", False),
        ('"Orbis Union" NEAR/1 {ITU}', "the Orbis Union and the ITU", False),
        ('"Orbis Union" NEAR/2 {ITU}', "the Orbis Union and the ITU", True),
        ("ITU NEAR/3 ITU", "ITU once", False),
        ("ITU NEAR/3 ITU", "ITU and ITU", True),
    ],
)
def test_matching(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_title_field_and_zones() -> None:
    assert matches("title:ITU", "nothing", title="ITU news")
    assert not matches("title:ITU", "ITU in the text", title="News")
    assert matches("ITU", "nothing", title="ITU news")  # unfielded terms look at both
    # NEAR never spans title and text
    assert not matches("Orbis NEAR/3 Union", "Union", title="Orbis")


@pytest.mark.parametrize(
    ("query", "site", "expected"),
    [
        ("site:example.com", "example.com", True),
        ("site:example.com", "news.example.com", True),
        ("site:example.com", "www.example.com", True),
        ("site:example.com", "https://www.Example.com:8443/path", True),
        ("site:example.com", "badexample.com", False),
        ("site:example.com", "example.com.evil.org", False),
        ("site:news.example.com", "example.com", False),
        ("site:example.com", "", False),
        ("site:bücher.de", "https://www.xn--bcher-kva.de/", True),
        ("site:xn--bcher-kva.de", "shop.bücher.de", True),
        ("-site:example.com", "", True),
    ],
)
def test_site(query: str, site: str, expected: bool) -> None:
    assert matches(query, "text", site=site) is expected


@pytest.mark.parametrize(
    ("query", "lang", "expected"),
    [
        ("lang:en", "en", True),
        ("lang:en", "EN-GB", True),
        ("lang:en", "en_US", True),
        ("lang:en-gb", "en", False),
        ("lang:en", "eng", False),
        ("lang:en", "", False),
    ],
)
def test_lang(query: str, lang: str, expected: bool) -> None:
    assert matches(query, "text", lang=lang) is expected


def test_offsets_point_into_the_original_strings() -> None:
    matcher = compile_queries(
        {"org": '"Orbis Union" OR {OTU}', "person": "Toure", "fold": "strasse"}
    )
    title = "ＯＴＵ news"  # full-width letters: NFKC makes them OTU
    text = "Intro.\n\n  The Orbis\u00a0\n Union and Mr Toure\u0301 of the Hauptstraße met."
    result = {m.name: m for m in matcher.match(MatchInput(title, text))}
    assert set(result) == {"org", "person"}
    org = result["org"]
    assert org.terms == ("{OTU}", '"Orbis Union"') or org.terms == ('"Orbis Union"', "{OTU}")
    assert [title[h.start : h.end] for h in org.title_hits] == ["ＯＴＵ"]
    assert [text[h.start : h.end] for h in org.text_hits] == ["Orbis\u00a0\n Union"]
    assert org.text_hits[0].term == '"Orbis Union"'
    person = result["person"]
    assert person.text_hits == (Hit("Toure", text.index("Toure"), text.index(" of")),)


def test_offsets_after_expansions() -> None:
    text = "Straße ﬁnal ﬁ ITU"
    (m,) = compile_queries({"q": "ITU"}).match(MatchInput("", text))
    assert [text[h.start : h.end] for h in m.text_hits] == ["ITU"]


def test_reported_terms_are_positive_contributing_ones() -> None:
    matcher = compile_queries(
        {
            "q": "(ITU AND Council) OR Orbis -Istanbul",
            "near": "Orbis NEAR/1 Union",
        }
    )
    doc = MatchInput("", "ITU here. Orbis was there today. Union far away. Orbis Union.")
    result = {m.name: m for m in matcher.match(doc)}
    assert result["q"].terms == ("Orbis",)  # ITU did not contribute: Council is missing
    assert {h.term for h in result["q"].text_hits} == {"Orbis"}
    # only the Orbis/Union pair that is near is highlighted
    near_hits = result["near"].text_hits
    assert [doc.text[h.start : h.end] for h in near_hits] == ["Orbis", "Union"]
    assert near_hits[0].start == doc.text.index("Orbis Union")


def test_negated_terms_are_never_reported() -> None:
    (m,) = compile_queries({"q": "ITU -Istanbul OR NOT Geneva"}).match(MatchInput("", "ITU Geneva"))
    assert m.terms == ("ITU",)
    assert all(h.term == "ITU" for h in m.text_hits)


def test_results_follow_query_order_and_share_terms() -> None:
    queries = {f"q{i}": "ITU" if i % 2 else "Orbis" for i in range(6)}
    assert names(queries, "ITU and Orbis") == [f"q{i}" for i in range(6)]


def test_compile_error_names_the_query() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        compile_queries({"good": "ITU", "bad": '"ITU OR'})
    assert info.value.query_name == "bad"
    assert str(info.value).startswith("query 'bad': unbalanced quote at 0:")


def test_warnings_are_collected_at_compile_time() -> None:
    matcher = compile_queries({"ok": '"Orbis Union"', "neg": "-foo", "short": "a"})
    assert set(matcher.warnings) == {"neg", "short"}
    assert len(matcher) == 3


def test_no_queries_and_empty_documents() -> None:
    assert compile_queries({}).match(MatchInput("t", "x")) == []
    assert compile_queries({"q": "ITU"}).match(MatchInput("", "")) == []
    assert names({"q": "-ITU"}, "") == ["q"]


def test_only_exact_terms() -> None:
    assert names({"q": "{ITU}"}, "The ITU") == ["q"]


def test_normalize_examples() -> None:
    assert normalize("  Touré\u2019s  WCIT\u201112\n\n“Café”").text == ' toure\'s wcit-12 "cafe"'
    assert normalize("Touré ITU", fold=False).text == "Touré ITU"
    assert normalize_term("  Orbis \n Union ") == "orbis union"
    assert normalize_term("ＩＴＵ", fold=False) == "ITU"


def test_normalize_maps_spans_back() -> None:
    text = "a\u00a0 Touré \ufb01n Straße"
    norm = normalize(text)
    assert norm.text == "a toure fin strasse"
    for word in ("toure", "fin", "strasse"):
        start = norm.text.index(word)
        s, e = norm.span(start, start + len(word))
        assert normalize(text[s:e]).text == word


def test_an_exact_term_with_no_folded_form_is_still_found() -> None:
    # "´" is NFKC " ́": its exact form is a lone accent, which folding strips to nothing, so
    # it cannot be scanned for in the folded text and is looked up directly instead.
    assert names({"q": "{\u00b4}"}, "x \u00b4 y") == ["q"]
    assert names({"q": "{\u00b4}"}, "x y") == []


def test_case_sensitive_terms_only_cost_when_their_letters_occur() -> None:
    matcher = compile_queries({"q": "{ITU} OR Orbis"})
    # {ITU} is scanned as "itu": a folded hit makes the query a candidate, the exact check
    # then decides; "itu" in lower case is no match for {ITU}.
    assert matcher.match(MatchInput("", "itu adalah")) == []
    (m,) = matcher.match(MatchInput("", "the ITU and itu"))
    assert [h.start for h in m.text_hits] == [4]


@pytest.mark.parametrize("repeat", [1, 3, 12])  # 12 folded hits: the whole exact text is built
def test_case_sensitive_terms_are_checked_in_place(repeat: int) -> None:
    chunk = "Mr Toure\u0301 met TOURÉ and touré, not Tourés.\n\n"
    text = "Intro " + chunk * repeat + "END"
    (m,) = compile_queries({"q": "{Touré}"}).match(MatchInput("", text))
    assert [text[h.start : h.end] for h in m.text_hits] == ["Toure\u0301"] * repeat
