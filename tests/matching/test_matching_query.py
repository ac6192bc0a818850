"""The query language: what parses to what, what is rejected where, and what warns."""

from __future__ import annotations

import pytest

from crawler.matching import (
    And,
    Lang,
    Near,
    Not,
    Or,
    QuerySyntaxError,
    Site,
    Term,
    compile_queries,
    format_query,
    parse_query,
    query_warnings,
)

ITU = Term("ITU")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ITU", ITU),
        ('"Orbis Union"', Term("Orbis Union", phrase=True)),
        ("“Orbis Union”", Term("Orbis Union", phrase=True)),  # pasted from a word processor
        ("{ITU}", Term("ITU", exact=True)),
        ('{"ITU Council"}', Term("ITU Council", phrase=True, exact=True)),
        ("{ ITU Council }", Term("ITU Council", phrase=True, exact=True)),
        ("WCIT-12", Term("WCIT-12")),
        ("a b", And((Term("a"), Term("b")))),
        ("a AND b", And((Term("a"), Term("b")))),
        ("a and b", And((Term("a"), Term("and"), Term("b")))),
        ("a or b", And((Term("a"), Term("or"), Term("b")))),
        ("a OR b", Or((Term("a"), Term("b")))),
        ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),
        ("a (b OR c)", And((Term("a"), Or((Term("b"), Term("c")))))),
        ("a OR b OR (c OR d)", Or((Term("a"), Term("b"), Term("c"), Term("d")))),
        ("-a", Not(Term("a"))),
        ("NOT a", Not(Term("a"))),
        ("a NOT b", And((Term("a"), Not(Term("b"))))),
        ("a -b", And((Term("a"), Not(Term("b"))))),
        ('a -"b c"', And((Term("a"), Not(Term("b c", phrase=True))))),
        ("a -(b OR c)", And((Term("a"), Not(Or((Term("b"), Term("c"))))))),
        ("a NEAR/5 b", Near(Term("a"), Term("b"), 5)),
        ('"a b" NEAR/0 {C}', Near(Term("a b", phrase=True), Term("C", exact=True), 0)),
        ("x a NEAR/2 b", And((Term("x"), Near(Term("a"), Term("b"), 2)))),
        ("-a NOT b", And((Not(Term("a")), Not(Term("b"))))),
        ("title:ITU", Term("ITU", field="title")),
        ('title:"Orbis Union"', Term("Orbis Union", phrase=True, field="title")),
        ("title:{ITU}", Term("ITU", exact=True, field="title")),
        ("Title:ITU", Term("ITU", field="title")),
        (
            "title:(a OR -b)",
            Or((Term("a", field="title"), Not(Term("b", field="title")))),
        ),
        ("site:example.com", Site("example.com")),
        ("site:WWW.Example.COM", Site("example.com")),
        ("site:https://news.example.com/path", Site("news.example.com")),
        ('site:"bücher.de"', Site("xn--bcher-kva.de")),
        ("lang:en", Lang("en")),
        ("lang:pt_BR", Lang("pt-br")),
        ('"time: 10:30"', Term("time: 10:30", phrase=True)),
        ("--a", Not(Not(Term("a")))),
        ("NEARBY", Term("NEARBY")),
        ("near/5", Term("near/5")),
    ],
)
def test_parses(query: str, expected: object) -> None:
    assert parse_query(query) == expected


def test_design_example() -> None:
    node = parse_query(
        '"WCIT-12" OR (ITU AND "Internet governance") -"Istanbul Technical University"'
    )
    # NOT binds tightest, then AND: the exclusion applies to the bracketed branch only.
    assert node == Or(
        (
            Term("WCIT-12", phrase=True),
            And(
                (
                    ITU,
                    Term("Internet governance", phrase=True),
                    Not(Term("Istanbul Technical University", phrase=True)),
                )
            ),
        )
    )


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ('"ITU OR', "unbalanced quote", 0),
        ('ITU "a', "unbalanced quote", 4),
        ("(a OR b", "unbalanced parenthesis", 0),
        ("a OR b)", "unbalanced parenthesis", 6),
        ("((a)", "unbalanced parenthesis", 0),
        ("", "empty query", 0),
        ("   ", "empty query", 0),
        ("()", "empty parentheses", 0),
        ("a NEAR b", "NEAR needs a distance", 2),
        ("a NEAR/ b", "NEAR needs a distance", 2),
        ("a NEAR/x b", "NEAR needs a distance", 2),
        ("NEAR", "NEAR needs a distance", 0),
        ("(a OR b) NEAR/3 c", "NEAR needs a term or phrase on each side", 9),
        ("a NEAR/3 -b", "NEAR needs a term or phrase on each side", 2),
        ("a NEAR/2 b NEAR/2 c", "NEAR needs a term or phrase on each side", 11),
        ("title:a NEAR/2 b", "NEAR needs both sides in the same field", 8),
        ("foo:bar", 'unknown field "foo:"', 0),
        ("ITU 10:30", 'unknown field "10:"', 4),
        ("a OR", "OR needs a term after it", 2),
        ("a AND", "AND needs a term after it", 2),
        ("a OR )", "OR needs a term after it", 2),
        ("OR a", "OR needs a term before it", 0),
        ("a AND AND b", "AND needs a term after it", 2),
        ("NOT", "NOT needs a term after it", 0),
        ("a NEAR/3", "NEAR needs a term after it", 2),
        ("a -", "'-' must be directly followed by a term", 2),
        ("a - b", "'-' must be directly followed by a term", 2),
        ("{}", "empty braces", 0),
        ("{  }", "empty braces", 0),
        ('{""}', "empty braces", 0),
        ("a {ITU", "unbalanced brace", 2),
        ("a}", "unbalanced brace", 1),
        ('{ITU "x"}', "quotes go around the whole braced term", 5),
        ("title:", "title: needs a value", 0),
        ("title: a", "title: needs a value", 0),
        ("site:", "site: needs a value", 0),
        ("site:a..b", "site: needs a host name", 5),
        ('site:"{"', "site: needs a host name", 5),
        ('site:"a b"', "site: needs a host name", 5),
        ("lang:english", "lang: needs a language code", 5),
        ("title:(site:x.org)", "site: cannot be used inside title:", 7),
        ('"  "', "nothing to search for", 0),
    ],
)
def test_rejects_with_position(query: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    assert info.value.message.startswith(message)
    assert info.value.position == position
    assert info.value.query == query


def test_error_shows_a_caret_under_the_position() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query('ITU OR "ITU\tCouncil')
    assert str(info.value) == ('unbalanced quote at 7:\n  ITU OR "ITU Council\n         ^')


def test_the_example_in_queries_md() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        compile_queries({"itu": 'ITU OR "WCIT-12'})
    assert str(info.value) == "query 'itu': unbalanced quote at 7:\n  ITU OR \"WCIT-12\n         ^"
    assert parse_query("a OR b c -d") == parse_query("a OR (b AND c AND NOT d)")


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="empty query"):
        parse_query("")


@pytest.mark.parametrize(
    "query",
    [
        '"WCIT-12" OR (ITU AND "Internet governance") -"Istanbul Technical University"',
        "a b OR c (d OR -e) NOT f",
        "title:(a OR b) site:example.com -lang:fr",
        '{ITU} NEAR/5 "Orbis Union" OR title:x NEAR/1 title:{Y}',
        "-(a NEAR/2 b) --c",
        '{"ITU Council"} {ITU}',
    ],
)
def test_format_round_trips(query: str) -> None:
    node = parse_query(query)
    assert parse_query(format_query(node)) == node


def test_format_is_readable() -> None:
    node = parse_query('a b OR c -"d e"')
    assert format_query(node) == '(a AND b) OR (c AND -"d e")'


@pytest.mark.parametrize(
    ("query", "warns"),
    [
        ("-foo", "pure negation"),
        ("NOT (a OR b)", "pure negation"),
        ("the", "short or common"),
        ("a OR b", "short or common"),
        ('"of the"', "short or common"),
        ("ITU OR the", "short or common"),
        ("itu", "short or common"),  # Indonesian for "that"
        ("ITU", "short or common"),  # the same, case-insensitively: write {ITU}
        ("site:example.com AND (a OR the)", "short or common"),
        ("{A}", "short or common"),
        ("Orbis", None),
        ("{UN}", None),
        ("{ITU}", None),
        ('"the Orbis Union"', None),
        ("ITU Council", None),
        ('"Orbis Union" -foo', None),
        ("site:example.com", None),
        ("lang:en -foo", None),
    ],
)
def test_warnings(query: str, warns: str | None) -> None:
    found = query_warnings(parse_query(query))
    if warns is None:
        assert found == []
    else:
        assert len(found) == 1
        assert warns in found[0]
