"""Property tests: the parser never crashes, ASTs round-trip through text, and the compiled
matcher agrees with the slow reference evaluator on generated queries and texts."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching_strategies import TEXT_WORDS, docs, queries, texts

from crawler.matching import (
    Node,
    QuerySyntaxError,
    compile_queries,
    format_query,
    normalize,
    parse_query,
)
from crawler.matching.matcher import Matcher
from crawler.matching.nodes import Term, iter_terms
from crawler.matching.reference import evaluate_slow, find_spans, normalize_with_table

# MATCHING_EXAMPLES=5000 for a deeper search; no example database (nothing written to disk).
SETTINGS = settings(
    max_examples=int(os.environ.get("MATCHING_EXAMPLES", "150")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

QUERY_ALPHABET = st.sampled_from(
    [*'abcITU "(){}-:/NEARDOT', "AND", "OR", "NOT", "NEAR/3", "title:", "site:", "lang:"]
)


@SETTINGS
@given(st.text(max_size=60))
def test_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    _parses_or_fails_cleanly(text)


def _parses_or_fails_cleanly(text: str) -> None:
    """Either an AST that round-trips, or a QuerySyntaxError pointing into the query."""
    error: QuerySyntaxError | None = None
    try:
        node = parse_query(text)
    except QuerySyntaxError as exc:
        error = exc
    if error is None:
        assert parse_query(format_query(node)) == node
    else:
        assert 0 <= error.position <= len(text)
        assert error.message
        assert "^" in str(error) or not text


@SETTINGS
@given(st.lists(QUERY_ALPHABET, max_size=25).map("".join))
def test_parser_never_crashes_on_query_like_text(text: str) -> None:
    _parses_or_fails_cleanly(text)


@SETTINGS
@given(queries())
def test_generated_asts_round_trip(node: Node) -> None:
    assert parse_query(format_query(node)) == node


@SETTINGS
@given(st.lists(queries(), min_size=1, max_size=4), st.data())
def test_compiled_matcher_agrees_with_slow_evaluator(
    nodes: list[Node], data: st.DataObject
) -> None:
    own_words = [t.text for node in nodes for t, _ in iter_terms(node)]
    doc = data.draw(docs(own_words))
    named = {f"q{i}": node for i, node in enumerate(nodes)}
    matcher = compile_queries(named)
    matches = {m.name: m for m in matcher.match(doc)}
    expected = {name for name, node in named.items() if evaluate_slow(node, doc)}
    assert set(matches) == expected
    for match in matches.values():
        for zone, hits in (("title", match.title_hits), ("text", match.text_hits)):
            text = doc.title if zone == "title" else doc.text
            for hit in hits:
                term = parse_query(hit.term.removeprefix("title:"))
                assert isinstance(term, Term)
                assert (hit.start, hit.end) in find_spans(term, text)
                assert hit.term in match.terms


@SETTINGS
@given(st.one_of(texts(), st.text(max_size=40)), st.booleans())
def test_fast_normalisation_equals_the_table_reference(text: str, fold: bool) -> None:
    fast = normalize(text, fold=fold)
    slow, table = normalize_with_table(text, fold=fold)
    assert fast.text == slow
    # Spans as hits have them: never starting or ending with a (collapsed) space.
    for start in range(len(slow)):
        for end in range(start + 1, min(len(slow), start + 4) + 1):
            if slow[start] == " " or slow[end - 1] == " ":
                continue
            assert fast.span(start, end) == (table[start], max(table[end], table[end - 1] + 1))


@SETTINGS
@given(texts(), st.sampled_from([w for w in TEXT_WORDS if w.isalpha()]))
def test_every_hit_maps_back_to_text_that_normalises_to_the_term(text: str, word: str) -> None:
    term = Term(word)
    key = normalize(word).text
    for start, end in find_spans(term, text):
        assert normalize(text[start:end]).text.strip() == key


@SETTINGS
@given(st.lists(queries(), min_size=1, max_size=8), st.data())
def test_retuned_triggers_give_the_same_results(nodes: list[Node], data: st.DataObject) -> None:
    # Re-filing queries under other triggers (after every document here) must never change
    # what matches: a trigger is only a necessary condition.
    own_words = [t.text for node in nodes for t, _ in iter_terms(node)]
    named = {f"q{i}": node for i, node in enumerate(nodes)}
    matcher = Matcher(named, census_every=1, retune_at=range(1, 20))
    for doc in data.draw(st.lists(docs(own_words), min_size=1, max_size=6)):
        expected = [name for name, node in named.items() if evaluate_slow(node, doc)]
        assert [m.name for m in matcher.match(doc)] == expected
