"""Full-text search over the documents' title and text, the same on SQLite and PostgreSQL.

On PostgreSQL the index is migration 0008's generated ``tsvector`` column with a GIN index;
on SQLite it is migration 0011's FTS5 table ``mentions_fts``: one row per find, keyed by the
find's newest-first order (:func:`order_key_floor`), so the inbox's search walks matches in
its own order and stops after a page instead of materialising every match. Both index the
same capped text without stemming. (0008's per-document ``documents_fts`` was read by
nothing once 0011 came, and migration 0014 drops it.)

A user's search string is never handed to either query language: it is parsed here into
plain words, quoted phrases and ``prefix*`` words, and each is rebuilt in the database's own
syntax from word characters only. So ``"``, ``*``, ``NEAR``, ``-`` or a
10,000-character string are searched as words (or dropped), never a syntax error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    TableClause,
    TextClause,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from crawler.storage.models import MentionRow

#: At most this many terms and characters of a term are searched: a pasted essay is a search
#: for its first words, not a query that takes the database down.
MAX_TERMS = 12
MAX_TERM_CHARS = 64
MAX_QUERY_CHARS = 2000

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')

#: Database objects the search index adds that the models do not describe (the schema drift
#: check and autogenerate skip them).
SEARCH_COLUMNS = ("search",)
SEARCH_INDEXES = ("ix_documents_search",)
SEARCH_TABLES = ("mentions_fts",)

#: A find's rowid in ``mentions_fts`` (migration 0011, which writes these numbers out) is
#: ``seconds of first_seen_at since 2000-01-01 * ORDER_KEY_SPAN + id``: ordering by it is the
#: inbox's (first_seen_at, id) order except inside one second, which the caller re-sorts.
#: Mention ids must stay below the span (2 billion).
ORDER_KEY_SPAN = 2**31
ORDER_KEY_EPOCH = 946684800


@dataclass(frozen=True, slots=True)
class Term:
    """One searched unit: a word, a phrase (several words in a row) or a word prefix."""

    words: tuple[str, ...]
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """Words, ``"quoted phrases"`` and ``prefix*`` words of ``query``; everything that is
    not a word character is a separator. Empty when nothing searchable is left."""
    terms: list[Term] = []
    for phrase, bare in _TOKEN.findall(query[:MAX_QUERY_CHARS]):
        if phrase:
            phrase_words = tuple(w.lower()[:MAX_TERM_CHARS] for w in _WORD.findall(phrase))
            if phrase_words:
                terms.append(Term(phrase_words[:MAX_TERMS]))
            continue
        prefix = bare.endswith("*")
        words = [w.lower()[:MAX_TERM_CHARS] for w in _WORD.findall(bare)]
        for i, word in enumerate(words):
            terms.append(Term((word,), prefix=prefix and i == len(words) - 1))
    return terms[:MAX_TERMS]


def words_of(terms: list[Term]) -> list[str]:
    """Every word searched (for highlighting the hits in a snippet)."""
    return [w for t in terms for w in t.words]


def fts5_query(terms: list[Term]) -> str:
    """The FTS5 MATCH string: each term a quoted string (so no operator), AND-ed."""
    parts = []
    for t in terms:
        quoted = '"' + " ".join(t.words) + '"'
        parts.append(quoted + ("*" if t.prefix else ""))
    return " AND ".join(parts)


def tsquery(terms: list[Term]) -> str:
    """The PostgreSQL ``to_tsquery('simple', ...)`` string: phrases with ``<->``, prefixes
    with ``:*``; words are word characters only, so nothing else is syntax."""
    parts = []
    for t in terms:
        words = [f"'{w}'" for w in t.words]
        if t.prefix:
            words[-1] += ":*"
        parts.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return " & ".join(parts)


def matching_finds(session: Session, terms: list[Term]) -> ColumnElement[bool]:
    """A WHERE clause on ``mentions`` joined to ``documents``, true for the finds whose
    document holds every term (``terms`` must not be empty), on the session's database:
    one GIN index lookup on PostgreSQL, the ``mentions_fts`` index on SQLite (where the
    inbox normally walks that index itself, see :func:`mention_search`)."""
    if session.get_bind().dialect.name == "postgresql":
        vector: ColumnElement[Any] = literal_column("documents.search")
        return vector.bool_op("@@")(func.to_tsquery(literal_column("'simple'"), tsquery(terms)))
    fts, match = mention_search(terms)
    return MentionRow.id.in_(select(fts.c.rowid % ORDER_KEY_SPAN).where(match))


def order_key_floor(at: datetime) -> int:
    """The smallest order key of a find first seen in the same second as ``at`` (SQLite's
    ``strftime('%s')`` truncates the fraction, as ``floor`` does here)."""
    return max(0, math.floor(at.timestamp()) - ORDER_KEY_EPOCH) * ORDER_KEY_SPAN


def mention_search(terms: list[Term]) -> tuple[TableClause, TextClause]:
    """SQLite's per-find index and the MATCH clause for ``terms`` (not empty): the index's
    ``rowid`` is the find's order key, its id is ``rowid % ORDER_KEY_SPAN``."""
    fts = table("mentions_fts", column("rowid", Integer))
    return fts, text("mentions_fts MATCH :fts_q").bindparams(fts_q=fts5_query(terms))


def is_search_object(name: str | None, type_: str) -> bool:
    """Whether ``name`` is part of the search index (left out of the schema drift check)."""
    if name is None:
        return False
    if type_ == "table":
        return any(name == t or name.startswith(t + "_") for t in SEARCH_TABLES)
    if type_ == "column":
        return name in SEARCH_COLUMNS
    if type_ == "index":
        return name in SEARCH_INDEXES
    return False
