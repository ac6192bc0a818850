"""A small, independent evaluator of mediamon's query language, used to compute the truth.

The ground truth must say which queries match each document's main text, and it must not be
computed by the code under test (``crawler.matching``) — otherwise a bug there would be
certified by the truth. So this is a second, deliberately simple implementation: tokens are
runs of word characters; case-insensitive terms compare with case and diacritics folded away;
``{EXACT}`` terms compare token by token as written; phrases are consecutive tokens; NEAR/n
means at most n words between the two operands, in either order. The sample world's texts
are written so that nothing depends on finer points where implementations may differ (the
NEAR distances used are either 2 or more than 40 words, for instance).

Grammar (precedence NOT > NEAR > AND > OR)::

    or := and ("OR" and)* ; and := near (["AND"] near)* ; near := unary ("NEAR/"n unary)*
    unary := ("NOT" | "-") unary | primary
    primary := word | "phrase" | {exact} | "(" or ")" | title:primary | site:host | lang:code
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

_WORD = re.compile(r"\w+")
_LEX = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<phrase>[^"]*)"|\{(?P<exact>[^}]*)\}'
    r"|(?P<near>NEAR/\d+)|(?P<field>(?:title|site|lang):)|(?P<minus>-)(?=\S)"
    r'|(?P<word>[^\s()"{}]+))'
)


class QueryError(ValueError):
    pass


@functools.lru_cache(maxsize=65536)
def fold(token: str) -> str:
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # as written in the query, without quotes or braces
    exact: bool
    tokens: tuple[str, ...]
    title_only: bool = False


@dataclass(frozen=True, slots=True)
class Op:
    kind: str  # and | or | not | near | site | lang
    args: tuple[Node, ...] = ()
    n: int = 0
    value: str = ""


Node = Term | Op


@dataclass
class Text:
    """A document prepared for evaluation: tokens of title + main text, both forms."""

    title: str
    body: str
    site: str = ""
    lang: str = ""
    raw: list[str] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    title_len: int = 0
    joined: str = ""

    def __post_init__(self) -> None:
        title = unicodedata.normalize("NFC", self.title)
        self.joined = f"{title}\n\n{unicodedata.normalize('NFC', self.body)}"
        matches = list(_WORD.finditer(self.joined))
        self.raw = [m.group(0) for m in matches]
        self.spans = [m.span() for m in matches]
        self.folded = [fold(t) for t in self.raw]
        self.title_len = sum(1 for m in matches if m.start() < len(title))

    @functools.cached_property
    def index(self) -> dict[tuple[bool, str], list[int]]:
        """Positions of each token, by (exact, token)."""
        out: dict[tuple[bool, str], list[int]] = {}
        for i, (r, f) in enumerate(zip(self.raw, self.folded, strict=True)):
            out.setdefault((True, r), []).append(i)
            out.setdefault((False, f), []).append(i)
        return out

    def surface(self, first: int, count: int) -> str:
        """The text as written from token ``first`` over ``count`` tokens."""
        return self.joined[self.spans[first][0] : self.spans[first + count - 1][1]]


def _term(text: str, exact: bool) -> Term:
    tokens = _WORD.findall(unicodedata.normalize("NFC", text))
    if not tokens:
        raise QueryError(f"empty term {text!r}")
    return Term(text, exact, tuple(tokens if exact else [fold(t) for t in tokens]))


@functools.lru_cache(maxsize=64)
def parse(query: str) -> Node:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(query):
        m = _LEX.match(query, pos)
        if m is None or m.end() == pos:
            if query[pos:].strip() == "":
                break
            raise QueryError(f"cannot read query at position {pos}")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind) or ""))
        pos = m.end()
    parser = _Parser(tokens)
    node = parser.parse_or()
    if parser.i != len(tokens):
        raise QueryError(f"unexpected {tokens[parser.i][1]!r}")
    return node


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("", "")

    def parse_or(self) -> Node:
        args = [self.parse_and()]
        while self.peek() == ("word", "OR"):
            self.i += 1
            args.append(self.parse_and())
        return args[0] if len(args) == 1 else Op("or", tuple(args))

    def parse_and(self) -> Node:
        args = [self.parse_near()]
        while True:
            kind, value = self.peek()
            if kind == "word" and value == "AND":
                self.i += 1
                args.append(self.parse_near())
            elif kind in ("word", "phrase", "exact", "lp", "field", "minus") and value != "OR":
                args.append(self.parse_near())
            else:
                break
        return args[0] if len(args) == 1 else Op("and", tuple(args))

    def parse_near(self) -> Node:
        left = self.parse_unary()
        while self.peek()[0] == "near":
            n = int(self.peek()[1].split("/")[1])
            self.i += 1
            right = self.parse_unary()
            left = Op("near", (left, right), n=n)
        return left

    def parse_unary(self) -> Node:
        kind, value = self.peek()
        if kind == "minus" or (kind == "word" and value == "NOT"):
            self.i += 1
            return Op("not", (self.parse_unary(),))
        return self.parse_primary()

    def parse_primary(self) -> Node:
        kind, value = self.peek()
        self.i += 1
        if kind == "lp":
            node = self.parse_or()
            if self.peek()[0] != "rp":
                raise QueryError("missing )")
            self.i += 1
            return node
        if kind == "phrase" or kind == "word":
            return _term(value, exact=False)
        if kind == "exact":
            return _term(value, exact=True)
        if kind == "field":
            name = value[:-1]
            if name == "title":
                inner = self.parse_primary()
                if not isinstance(inner, Term):
                    raise QueryError("title: takes a term or phrase")
                return Term(inner.text, inner.exact, inner.tokens, title_only=True)
            arg_kind, arg = self.peek()
            self.i += 1
            if arg_kind != "word":
                raise QueryError(f"{name}: needs a value")
            return Op(name, value=arg.lower())
        raise QueryError(f"unexpected {value!r}")


def _positions(term: Term, text: Text) -> list[int]:
    seq = text.raw if term.exact else text.folded
    k = len(term.tokens)
    end = text.title_len if term.title_only else len(seq)
    first = term.tokens[0]
    return [
        i for i in range(0, end - k + 1) if seq[i] == first and tuple(seq[i : i + k]) == term.tokens
    ]


@dataclass(frozen=True, slots=True)
class Result:
    matched: bool
    terms: frozenset[str] = frozenset()
    surfaces: frozenset[str] = frozenset()


def evaluate(node: Node, text: Text) -> Result:
    """Whether ``node`` matches, and which query terms (and surface strings) make it match."""
    if isinstance(node, Term):
        pos = _positions(node, text)
        if not pos:
            return Result(False)
        k = len(node.tokens)
        surfaces = frozenset(text.surface(p, k) for p in pos)
        return Result(True, frozenset({node.text}), surfaces)
    if node.kind == "or":
        results = [evaluate(a, text) for a in node.args]
        hits = [r for r in results if r.matched]
        if not hits:
            return Result(False)
        return Result(
            True,
            frozenset().union(*(r.terms for r in hits)),
            frozenset().union(*(r.surfaces for r in hits)),
        )
    if node.kind == "and":
        results = [evaluate(a, text) for a in node.args]
        if not all(r.matched for r in results):
            return Result(False)
        return Result(
            True,
            frozenset().union(*(r.terms for r in results)),
            frozenset().union(*(r.surfaces for r in results)),
        )
    if node.kind == "not":
        return Result(not evaluate(node.args[0], text).matched)
    if node.kind == "near":
        a, b = node.args
        if not isinstance(a, Term) or not isinstance(b, Term):
            raise QueryError("NEAR needs terms on both sides")
        pa, pb = _positions(a, text), _positions(b, text)
        la, lb = len(a.tokens), len(b.tokens)
        for p in pa:
            for q in pb:
                gap = q - (p + la) if q >= p else p - (q + lb)
                if 0 <= gap <= node.n:
                    sa = text.surface(p, la)
                    sb = text.surface(q, lb)
                    return Result(True, frozenset({a.text, b.text}), frozenset({sa, sb}))
        return Result(False)
    if node.kind == "site":
        return Result(text.site == node.value or text.site.endswith("." + node.value))
    if node.kind == "lang":
        return Result(text.lang.lower().split("-")[0] == node.value.split("-")[0])
    raise QueryError(f"unknown node {node.kind}")


def org_query_matches(text: str) -> bool:
    """Whether the organisation query matches ``text`` (used when placing decoy headlines)."""
    from sampleweb.world.org_posts import QUERIES

    return evaluate(parse(QUERIES[0][1]), Text("", text)).matched
