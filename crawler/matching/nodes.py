"""The query AST (frozen dataclasses) and its canonical text form.

The AST is a value: two queries that mean the same thing written the same way compare equal,
so configs can be diffed and ``parse_query(format_query(node)) == node`` holds for every node
the parser produces. Canonical shape: ``And``/``Or`` have at least two children and never a
child of their own kind (they are flattened); ``title:`` is pushed down onto each term.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

#: Field names a query may use. ``title`` restricts a term to the title; ``site`` and
#: ``lang`` test the document's metadata.
FIELDS = ("title", "site", "lang")
#: Characters that end a bare word (they start or end other tokens).
WORD_STOP = frozenset('()"{}“”„')
QUOTE_OPEN = frozenset('"“”„')
QUOTE_CLOSE = frozenset('"“”')


@dataclass(frozen=True, slots=True)
class Term:
    """A word or ``"phrase"`` to find, as written.

    ``phrase`` records that it was quoted (so it prints back the same way), ``exact`` that it
    was written in braces (case-sensitive), ``field`` is ``""`` (title or text) or ``"title"``.
    """

    text: str
    phrase: bool = False
    exact: bool = False
    field: str = ""


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class Near:
    """Both terms within ``distance`` words of each other (at most that many words between),
    in either order, in the same field."""

    left: Term
    right: Term
    distance: int


@dataclass(frozen=True, slots=True)
class Site:
    """The document's site is ``host`` or one of its subdomains."""

    host: str


@dataclass(frozen=True, slots=True)
class Lang:
    """The document's language is ``code`` (``en`` also covers ``en-gb``)."""

    code: str


Node: TypeAlias = Term | And | Or | Not | Near | Site | Lang


def iter_terms(node: Node) -> Iterator[tuple[Term, bool]]:
    """Every term in ``node`` with whether it is in a positive (not negated) position."""
    stack: list[tuple[Node, bool]] = [(node, True)]
    while stack:
        current, positive = stack.pop()
        if isinstance(current, Term):
            yield current, positive
        elif isinstance(current, And | Or):
            stack.extend((child, positive) for child in reversed(current.children))
        elif isinstance(current, Not):
            stack.append((current.child, False))
        elif isinstance(current, Near):
            yield current.left, positive
            yield current.right, positive


def format_term(term: Term) -> str:
    """A term as the user would write it (``title:"Orbis Union"``, ``{ITU}``)."""
    text = f'"{term.text}"' if term.phrase else term.text
    if term.exact:
        text = "{" + text + "}"
    return f"title:{text}" if term.field == "title" else text


_LEVEL = {Or: 1, And: 2, Near: 3, Not: 4}


def _level(node: Node) -> int:
    return _LEVEL.get(type(node), 5)


def _wrapped(node: Node, minimum: int) -> str:
    text = format_query(node)
    return f"({text})" if _level(node) < minimum else text


def format_query(node: Node) -> str:
    """The canonical text of ``node``: explicit ``AND``, ``-`` for negation, minimal parens."""
    if isinstance(node, Term):
        return format_term(node)
    if isinstance(node, Site):
        return f"site:{node.host}"
    if isinstance(node, Lang):
        return f"lang:{node.code}"
    if isinstance(node, Not):
        return "-" + _wrapped(node.child, 4)
    if isinstance(node, Near):
        return f"{format_term(node.left)} NEAR/{node.distance} {format_term(node.right)}"
    if isinstance(node, And):
        return " AND ".join(_wrapped(child, 3) for child in node.children)
    # AND binds tighter anyway; the parentheses are for the human reading it.
    return " OR ".join(_wrapped(child, 3) for child in node.children)
