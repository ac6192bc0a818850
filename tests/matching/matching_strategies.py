"""Hypothesis strategies for queries and texts built from a small, nasty vocabulary.

The vocabulary is chosen so random combinations hit the hard cases often: acronyms inside
longer words (ITUC, ITU2), case variants (itu), diacritics both composed and decomposed,
dash and apostrophe variants, ligatures, ß, and the separators an extractor produces.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from crawler.matching import And, Lang, MatchInput, Near, Node, Not, Or, Site, Term

TEXT_WORDS = [
    "ITU",
    "itu",
    "Itu",
    "ITUC",
    "ITU2",
    "(ITU)",
    "ITU's",
    "ITU’s",
    "Toure",
    "Touré",
    "TOURÉ",
    "Toure\u0301",
    "Orbis",
    "orbis",
    "Union",
    "Union,",
    "Orbis-Union",
    "WCIT-12",
    "WCIT\u201112",
    "WCIT–12",
    "WCIT-123",
    "Council",
    "council.",
    "O'Brien",
    "O’Brien",
    "straße",
    "strasse",
    "\ufb01nance",
    "finance",
    "e\u0301cole",
    "école",
    "Internet",
    "governance",
    "governance.",
    "Istanbul",
    "Technical",
    "University",
    "the",
    "a",
    "-",
    "—",
    "Zürich",
    "zurich",
    "soft\u00adhyphen",
    "\u201cQuoted\u201d",
    "ITU\u2019\u0301s",
    "\u2014\u0301",
    "10\u00a0km",
]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", ", ", ". ", "\t", "\u00a0"]

BARE_WORDS = [
    "ITU",
    "itu",
    "ITUC",
    "Toure",
    "Touré",
    "Orbis",
    "Union",
    "WCIT-12",
    "Council",
    "O'Brien",
    "O’Brien",
    "strasse",
    "straße",
    "finance",
    "école",
    "ecole",
    "Internet",
    "governance",
    "University",
    "Zurich",
    "the",
    "a",
]
PHRASES = [
    "Orbis Union",
    "Internet governance",
    "Istanbul Technical University",
    "ITU Council",
    "Toure  said",
    "WCIT‑12",
    "O’Brien",
    "itu",
    "the ITU",
]
EXACT_WORDS = ["ITU", "ITUC", "Touré", "WCIT-12", "Orbis", "itu"]
EXACT_PHRASES = ["ITU Council", "Orbis Union", "ITU"]
HOSTS = ["example.com", "news.example.com", "other.org"]
LANGS = ["en", "fr", "en-gb"]


def texts(
    max_words: int = 25, extra: Sequence[str] = (), min_words: int = 0
) -> st.SearchStrategy[str]:
    """Texts made of vocabulary words (and ``extra`` ones) joined by assorted separators."""
    words = st.sampled_from(TEXT_WORDS)
    if extra:
        words = st.one_of(words, st.sampled_from(list(extra)))
    pieces = st.lists(
        st.tuples(words, st.sampled_from(SEPARATORS)), min_size=min_words, max_size=max_words
    )
    return pieces.map(lambda ps: "".join(w + s for w, s in ps))


def docs(extra: Sequence[str] = ()) -> st.SearchStrategy[MatchInput]:
    """Documents; ``extra`` words (say, the query's own terms) make hits likely."""
    return st.builds(
        MatchInput,
        title=texts(6, extra),
        text=texts(25, extra, min_words=3),
        site=st.sampled_from(["", *HOSTS, "www.example.com", "https://blog.other.org/x"]),
        lang=st.sampled_from(["", *LANGS, "en_US", "de"]),
    )


@st.composite
def terms(draw: st.DrawFn, field: str | None = None) -> Term:
    if field is None:
        field = draw(st.sampled_from(["", "", "title"]))
    kind = draw(st.sampled_from(["word", "phrase", "exact", "exact_phrase"]))
    if kind == "word":
        return Term(draw(st.sampled_from(BARE_WORDS)), field=field)
    if kind == "phrase":
        return Term(draw(st.sampled_from(PHRASES)), phrase=True, field=field)
    if kind == "exact":
        return Term(draw(st.sampled_from(EXACT_WORDS)), exact=True, field=field)
    return Term(draw(st.sampled_from(EXACT_PHRASES)), phrase=True, exact=True, field=field)


@st.composite
def nears(draw: st.DrawFn) -> Near:
    field = draw(st.sampled_from(["", "title"]))
    return Near(draw(terms(field)), draw(terms(field)), draw(st.integers(0, 4)))


def _flat(kind: type[And] | type[Or], items: list[Node]) -> Node:
    children: list[Node] = []
    for item in items:
        children.extend(item.children if isinstance(item, kind) else (item,))
    return kind(tuple(children))


def queries() -> st.SearchStrategy[Node]:
    """Canonical ASTs (flattened And/Or), the shape the parser produces."""
    leaves: st.SearchStrategy[Node] = st.one_of(
        terms(),
        terms(),
        terms(),
        nears(),
        st.one_of(st.builds(Site, st.sampled_from(HOSTS)), st.builds(Lang, st.sampled_from(LANGS))),
    )

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        many = st.lists(children, min_size=2, max_size=3)
        return st.one_of(
            many.map(lambda items: _flat(And, items)),
            many.map(lambda items: _flat(Or, items)),
            many.map(lambda items: _flat(Or, items)),
            children.map(Not),
        )

    return st.recursive(leaves, extend, max_leaves=6)
