"""Full-text search gives the same finds on SQLite (FTS5) and PostgreSQL (tsvector), stays
in sync with every write, and takes any string without a syntax error (#20)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine

from crawler.storage.db import session_scope
from crawler.storage.inbox import InboxFilter, inbox_page
from crawler.storage.models import DocumentRow
from crawler.storage.search import fts5_query, parse_query, tsquery
from tests.web.factories import find, store

CORPUS = [
    find(1, title="Orbis wins the river prize", text="The river prize went to Orbis Union."),
    find(2, title="Harbour news", text="A new harbour bridge opens; Orbis Union comments."),
    find(3, title="Rivers and bridges", text="Bridge building on the river Orb."),
    find(4, title="Prize-giving season", text="Prizes everywhere, none for Orbis."),
    find(5, title="Ünïcode Tïtle", text="Straße café naïve résumé."),
]

# (search, expected article numbers): the shared table both databases must satisfy.
CASES = [
    ("river", {1, 3}),
    ("RIVER prize", {1}),
    ('"river prize"', {1}),
    ('"prize river"', set()),
    ("pri*", {1, 4}),
    ("bridg*", {2, 3}),
    ("harbour -bridge", {2}),
    ('"orbis', {1, 2, 4}),
    ("NEAR(river prize)", set()),  # NEAR is a word like any other
    ("orbis AND OR NOT", set()),
    ("straße", {5}),
    ("café", {5}),
    ("*", {1, 2, 3, 4, 5}),
    ("", {1, 2, 3, 4, 5}),
]


def _numbers(engine: Engine, search: str) -> set[int]:
    with session_scope(engine) as s:
        page = inbox_page(s, InboxFilter(search=search), limit=200)
    return {int(item.url.rstrip("/").rsplit("/", 1)[1]) for item in page.items}


@pytest.mark.parametrize(("search", "expected"), CASES)
def test_same_results_on_both_databases(engine: Engine, search: str, expected: set[int]) -> None:
    store(engine, CORPUS)
    assert _numbers(engine, search) == expected


def test_ten_thousand_characters_and_syntax_soup_never_fail(engine: Engine) -> None:
    store(engine, CORPUS)
    for search in ['"' * 10_000, "x" * 10_000, "river " * 2000, "-*\"NEAR(:^)'\\%_", "\x00a"]:
        _numbers(engine, search)  # no exception is the assertion; results may be empty
    assert _numbers(engine, "river " * 2000) == {1, 3}


def test_index_follows_updates_and_deletes(engine: Engine) -> None:
    store(engine, CORPUS)
    with session_scope(engine) as s:
        s.execute(
            update(DocumentRow)
            .where(DocumentRow.canonical_url == "https://news.example/a/2/")
            .values(title="Renamed", text="Only zeppelins here.")
        )
    assert _numbers(engine, "zeppelins") == {2}
    assert _numbers(engine, "harbour") == set()
    with session_scope(engine) as s:
        s.execute(delete(DocumentRow).where(DocumentRow.canonical_url.like("%/a/1/")))
    assert _numbers(engine, "river") == {3}


def test_huge_title_is_stored_and_searchable(engine: Engine) -> None:
    store(engine, [find(9, title="megatitle " + "x" * 1_000_000, text="tiny body")])
    assert _numbers(engine, "megatitle") == {9}


def test_query_syntax_is_rebuilt_from_words_only() -> None:
    terms = parse_query('a"b NEAR(c*) "d e" f* -g')
    assert fts5_query(terms) == '"a" AND "b" AND "near" AND "c" AND "d e" AND "f"* AND "g"'
    assert tsquery(terms) == "'a' & 'b' & 'near' & 'c' & ('d' <-> 'e') & 'f':* & 'g'"
    assert parse_query('"" * - ""') == []
