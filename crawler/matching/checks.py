"""Warnings for queries that parse but would flood the digest.

A pure negation (``-foo``) or a query that can be satisfied by ``the`` or a single letter is
valid syntax but matches nearly every document, which buries real coverage. Such a query is
not an error — the user may mean it — so config loading shows these warnings instead.

The analysis is three-valued: site and language tests are "unknown" (they depend on the
document), terms are set true or false, and the query is asked whether it *can* come out true.
"""

from __future__ import annotations

from collections.abc import Callable

from crawler.matching.nodes import And, Near, Node, Not, Or, Term, format_term, iter_terms
from crawler.matching.normalize import is_word_char, normalize_term

#: Words so frequent in some language that a case-insensitive search for them alone is noise.
#: ``itu`` is Indonesian for "that": write ``{ITU}`` for the acronym.
_COMMON = """
    a an and are as at be but by for from had has have he her his i if in is it its not of on
    or she that the their they this to was we were with you
    au aux ce dans de des du elle en est et il je la le les mais ne ou par pas pour que qui sur
    un une das dem den der des die ein eine einer es ist mit nicht sie und von zu
    al con del el las lo los para por se su y da do dos em na no os um uma
    dan di ini itu ke yang
"""
COMMON_WORDS = frozenset(_COMMON.split())


def tri_state(node: Node, term_value: Callable[[Term], bool]) -> bool | None:
    """Evaluate ``node`` with terms given by ``term_value`` and site/lang unknown (``None``)."""
    if isinstance(node, Term):
        return term_value(node)
    if isinstance(node, Near):
        return term_value(node.left) and term_value(node.right)
    if isinstance(node, Not):
        value = tri_state(node.child, term_value)
        return None if value is None else not value
    if isinstance(node, And):
        values = [tri_state(child, term_value) for child in node.children]
        if False in values:
            return False
        return True if all(v is True for v in values) else None
    if isinstance(node, Or):
        values = [tri_state(child, term_value) for child in node.children]
        if True in values:
            return True
        return False if all(v is False for v in values) else None
    return None  # Site, Lang


def is_weak_term(term: Term) -> bool:
    """A term that occurs in almost every text: a single letter, a two-letter word (unless
    case-sensitive), a very common word (including ``itu``, Indonesian for "that", so a plain
    ``ITU`` warns and ``{ITU}`` does not), or something with no letters or digits at all."""
    norm = normalize_term(term.text, fold=not term.exact)
    words = [w for w in norm.split(" ") if any(is_word_char(c) for c in w)]
    if not words:
        return True
    if term.exact:  # {UN} is a deliberate acronym; {un} is still the French article
        return all(len(w) <= 1 or w in COMMON_WORDS for w in words)
    return all(len(w) <= 2 or w in COMMON_WORDS for w in words)


def query_warnings(node: Node) -> list[str]:
    """Reasons why ``node`` would match almost every document (empty when it looks fine)."""
    without_terms = tri_state(node, lambda _t: False)
    if without_terms is True:
        return [
            "matches every document that lacks its terms (a pure negation such as -foo); "
            "add a positive term"
        ]
    if without_terms is None or tri_state(node, is_weak_term) is False:
        return []  # None: only site:/lang: decide, which is a deliberate "everything from"
    weak = sorted(
        {format_term(t) for t, positive in iter_terms(node) if positive and is_weak_term(t)}
    )
    shown = ", ".join(weak) if weak else "its terms"
    return [
        f"can match on very short or common words alone ({shown}), which occur in almost "
        "every document; use a longer phrase, or braces for an acronym: {ITU}"
    ]
