"""Queries compiled for the matcher: patterns, test trees, and triggers.

Each query AST is compiled once into a small tree of test objects that refer to patterns (the
distinct normalised terms of all queries) by id, so evaluating a query on a document is a few
look-ups. A *trigger* is a set of patterns one of which must occur for the query to be true;
the matcher only evaluates queries whose trigger fired.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from crawler.matching.nodes import And, Near, Node, Not, Or, Site, Term, format_term
from crawler.matching.normalize import is_word_char, normalize_term


class Context(Protocol):
    """What a compiled node asks of one document (``crawler.matching.context.Context`` is the
    implementation): declared here, so the plan depends on no evaluator."""

    host: str
    lang: str

    def present(self, pid: int, title_only: bool) -> bool: ...

    def near_pairs(self, node: CNear, first_only: bool = False) -> Sequence[object]: ...


@dataclass(frozen=True, slots=True)
class Pattern:
    """One distinct normalised term; ``left``/``right`` say whether its first/last character
    is a word character, i.e. whether a word boundary must be checked on that side."""

    pid: int
    key: str
    exact: bool
    left: bool
    right: bool


def _pattern_for(term: Term, registry: dict[tuple[bool, str], Pattern]) -> Pattern:
    key = normalize_term(term.text, fold=not term.exact)
    found = registry.get((term.exact, key))
    if found is None:
        found = Pattern(len(registry), key, term.exact, is_word_char(key[0]), is_word_char(key[-1]))
        registry[(term.exact, key)] = found
    return found


class CNode:
    """A compiled query node."""

    __slots__ = ()

    def test(self, ctx: Context) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


class CTerm(CNode):
    __slots__ = ("label", "pid", "title_only")

    def __init__(self, pid: int, title_only: bool, label: str) -> None:
        self.pid = pid
        self.title_only = title_only
        self.label = label

    def test(self, ctx: Context) -> bool:
        return ctx.present(self.pid, self.title_only)


class CAnd(CNode):
    __slots__ = ("parts",)

    def __init__(self, parts: tuple[CNode, ...]) -> None:
        self.parts = parts

    def test(self, ctx: Context) -> bool:
        return all(part.test(ctx) for part in self.parts)


class COr(CNode):
    __slots__ = ("parts",)

    def __init__(self, parts: tuple[CNode, ...]) -> None:
        self.parts = parts

    def test(self, ctx: Context) -> bool:
        return any(part.test(ctx) for part in self.parts)


class CNot(CNode):
    __slots__ = ("child",)

    def __init__(self, child: CNode) -> None:
        self.child = child

    def test(self, ctx: Context) -> bool:
        return not self.child.test(ctx)


class CNear(CNode):
    __slots__ = ("a", "b", "distance")

    def __init__(self, a: CTerm, b: CTerm, distance: int) -> None:
        self.a = a
        self.b = b
        self.distance = distance

    def test(self, ctx: Context) -> bool:
        return bool(ctx.near_pairs(self, first_only=True))


class CSite(CNode):
    __slots__ = ("host",)

    def __init__(self, host: str) -> None:
        self.host = host

    def test(self, ctx: Context) -> bool:
        return ctx.host == self.host or ctx.host.endswith("." + self.host)


class CLang(CNode):
    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code

    def test(self, ctx: Context) -> bool:
        return ctx.lang == self.code or ctx.lang.startswith(self.code + "-")


@dataclass(frozen=True, slots=True)
class QueryPlan:
    name: str
    root: CNode
    pids: frozenset[int]


def trigger(node: CNode, cost: Callable[[int], float]) -> tuple[frozenset[int], float] | None:
    """A set of patterns at least one of which must occur for ``node`` to be true, chosen to
    be cheap (rarely occurring), with its estimated cost; ``None`` when ``node`` can be true
    without any term (``-foo``, ``site:x``).

    The matcher files each query under its trigger only, so a query like
    ``"Anna Kim" AND (data OR network)`` is looked at when "Anna Kim" occurs, not whenever
    the common word "data" does. Any valid trigger gives the same results; cost only
    decides how many queries are evaluated for nothing.
    """
    if isinstance(node, CTerm):
        return frozenset((node.pid,)), cost(node.pid)
    if isinstance(node, CNear):
        a = frozenset((node.a.pid,)), cost(node.a.pid)
        b = frozenset((node.b.pid,)), cost(node.b.pid)
        return min(a, b, key=_by_cost)
    if isinstance(node, COr):
        union: set[int] = set()
        total = 0.0
        for part in node.parts:
            found = trigger(part, cost)
            if found is None:
                return None
            union |= found[0]
            total += found[1]
        return frozenset(union), total
    if isinstance(node, CAnd):
        options = [t for t in (trigger(part, cost) for part in node.parts) if t is not None]
        return min(options, key=_by_cost) if options else None
    return None  # Not, Site, Lang


def _by_cost(option: tuple[frozenset[int], float]) -> tuple[float, int]:
    return option[1], len(option[0])


def plan_query(name: str, node: Node, registry: dict[tuple[bool, str], Pattern]) -> QueryPlan:
    """Compile ``node``, registering its terms in the shared ``registry`` of patterns."""
    pids: set[int] = set()

    def term(t: Term) -> CTerm:
        pattern = _pattern_for(t, registry)
        pids.add(pattern.pid)
        return CTerm(pattern.pid, t.field == "title", format_term(t))

    def build(n: Node) -> CNode:
        if isinstance(n, Term):
            return term(n)
        if isinstance(n, And):
            return CAnd(tuple(build(c) for c in n.children))
        if isinstance(n, Or):
            return COr(tuple(build(c) for c in n.children))
        if isinstance(n, Not):
            return CNot(build(n.child))
        if isinstance(n, Near):
            return CNear(term(n.left), term(n.right), n.distance)
        if isinstance(n, Site):
            return CSite(n.host)
        return CLang(n.code)

    root = build(node)
    return QueryPlan(name, root, frozenset(pids))
