"""The query language: lexer and recursive-descent parser.

Grammar (precedence NOT > NEAR > AND > OR; keywords are upper case, ``and`` is a word)::

    query   := or
    or      := and ("OR" and)*
    and     := near (["AND"] near)*          juxtaposition is AND
    near    := unary ("NEAR/" n unary)*      both sides must be terms or phrases
    unary   := "NOT" unary | "-" unary | primary
    primary := word | "phrase" | {exact} | "(" or ")" | title:primary | site:host | lang:code

Every error names the position of the token at fault, because users fix queries by looking at
where the caret points; the parser never raises anything but :class:`QuerySyntaxError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.matching.context import doc_host
from crawler.matching.errors import QuerySyntaxError
from crawler.matching.nodes import (
    FIELDS,
    QUOTE_CLOSE,
    QUOTE_OPEN,
    WORD_STOP,
    And,
    Lang,
    Near,
    Node,
    Not,
    Or,
    Site,
    Term,
)
from crawler.matching.normalize import normalize_term

_NEAR = re.compile(r"NEAR/([0-9]{1,6})")
_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*")  # labels of letters, digits, - and _ (IDN too)
_BRACE_BAD = frozenset('{"“”„')


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # WORD PHRASE EXACT EXACT_PHRASE LPAREN RPAREN AND OR NOT NEAR MINUS FIELD END
    pos: int
    end: int
    text: str = ""
    number: int = 0


class _Lexer:
    def __init__(self, query: str) -> None:
        self.q = query
        self.i = 0
        self.tokens: list[Token] = []

    def fail(self, message: str, pos: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, pos, self.q)

    def run(self) -> list[Token]:
        q = self.q
        while self.i < len(q):
            c = q[self.i]
            if c.isspace():
                self.i += 1
            elif c in "()":
                kind = "LPAREN" if c == "(" else "RPAREN"
                self.tokens.append(Token(kind, self.i, self.i + 1))
                self.i += 1
            elif c in QUOTE_OPEN:
                self.tokens.append(self.phrase("PHRASE", self.i))
            elif c == "{":
                self.tokens.append(self.brace())
            elif c == "}":
                raise self.fail("unbalanced brace", self.i)
            elif c == "-":
                nxt = q[self.i + 1] if self.i + 1 < len(q) else " "
                if nxt.isspace() or nxt in ")}":
                    raise self.fail("'-' must be directly followed by a term", self.i)
                self.tokens.append(Token("MINUS", self.i, self.i + 1))
                self.i += 1
            else:
                self.word()
        self.tokens.append(Token("END", len(q), len(q)))
        return self.tokens

    def phrase(self, kind: str, start: int) -> Token:
        end = start + 1
        while end < len(self.q) and self.q[end] not in QUOTE_CLOSE:
            end += 1
        if end >= len(self.q):
            raise self.fail("unbalanced quote", start)
        self.i = end + 1
        return Token(kind, start, end + 1, self.q[start + 1 : end])

    def brace(self) -> Token:
        q, start = self.q, self.i
        j = start + 1
        while j < len(q) and q[j].isspace():
            j += 1
        if j < len(q) and q[j] in QUOTE_OPEN:
            inner = self.phrase("EXACT_PHRASE", j)
            j = self.i
            while j < len(q) and q[j].isspace():
                j += 1
            if j >= len(q) or q[j] != "}":
                raise self.fail("unbalanced brace", start)
            if not inner.text.strip():
                raise self.fail("empty braces", start)
            self.i = j + 1
            return Token("EXACT_PHRASE", start, j + 1, inner.text)
        end = q.find("}", start + 1)
        if end < 0:
            raise self.fail("unbalanced brace", start)
        content = q[start + 1 : end]
        for k, ch in enumerate(content):
            if ch in _BRACE_BAD:
                message = 'quotes go around the whole braced term, e.g. {"ITU Council"}'
                raise self.fail(message if ch != "{" else "unbalanced brace", start + 1 + k)
        text = content.strip()
        if not text:
            raise self.fail("empty braces", start)
        self.i = end + 1
        kind = "EXACT_PHRASE" if any(ch.isspace() for ch in text) else "EXACT"
        return Token(kind, start, end + 1, text)

    def word(self) -> None:
        q, start = self.q, self.i
        end = start
        while end < len(q) and not q[end].isspace() and q[end] not in WORD_STOP:
            end += 1
        self.i = end
        text = q[start:end]
        if text in ("AND", "OR", "NOT"):
            self.tokens.append(Token(text, start, end))
        elif text == "NEAR" or text.startswith("NEAR/"):
            m = _NEAR.fullmatch(text)
            if m is None:
                raise self.fail("NEAR needs a distance in words, e.g. NEAR/5", start)
            self.tokens.append(Token("NEAR", start, end, text, int(m.group(1))))
        elif ":" in text:
            name, _, value = text.partition(":")
            if name.lower() not in FIELDS:
                message = f'unknown field "{name}:" (fields are title:, site:, lang:)'
                raise self.fail(message + '; put a word containing ":" in quotes', start)
            colon = start + len(name) + 1
            self.tokens.append(Token("FIELD", start, colon, name.lower()))
            if value:
                self.tokens.append(Token("WORD", colon, end, value))
        else:
            self.tokens.append(Token("WORD", start, end, text))


_STARTS = frozenset(("WORD", "PHRASE", "EXACT", "EXACT_PHRASE", "LPAREN", "NOT", "MINUS", "FIELD"))
_TITLE_VALUES = ("WORD", "PHRASE", "EXACT", "EXACT_PHRASE", "LPAREN")


class _Parser:
    def __init__(self, query: str, tokens: list[Token]) -> None:
        self.q = query
        self.tokens = tokens
        self.k = 0
        self.field = ""

    def fail(self, message: str, pos: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, pos, self.q)

    def peek(self) -> Token:
        return self.tokens[self.k]

    def take(self) -> Token:
        token = self.tokens[self.k]
        self.k += 1
        return token

    def operand_after(self, op: Token) -> None:
        if self.peek().kind not in _STARTS:
            name = "'-'" if op.kind == "MINUS" else op.kind
            raise self.fail(f"{name} needs a term after it", op.pos)

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.fail("empty query", 0)
        node = self.parse_or()
        token = self.peek()
        if token.kind == "RPAREN":
            raise self.fail("unbalanced parenthesis", token.pos)
        if token.kind != "END":  # pragma: no cover - every other token starts or joins a term
            raise self.fail("unexpected token", token.pos)
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.peek().kind == "OR":
            op = self.take()
            self.operand_after(op)
            items.append(self.parse_and())
        return _flat(Or, items)

    def parse_and(self) -> Node:
        items = [self.parse_near()]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                op = self.take()
                self.operand_after(op)
            elif kind not in _STARTS:
                break
            items.append(self.parse_near())
        return _flat(And, items)

    def parse_near(self) -> Node:
        left = self.parse_unary()
        while self.peek().kind == "NEAR":
            op = self.take()
            self.operand_after(op)
            right = self.parse_unary()
            if not isinstance(left, Term) or not isinstance(right, Term):
                raise self.fail("NEAR needs a term or phrase on each side", op.pos)
            if left.field != right.field:
                raise self.fail("NEAR needs both sides in the same field", op.pos)
            left = Near(left, right, op.number)
        return left

    def parse_unary(self) -> Node:
        token = self.peek()
        if token.kind in ("NOT", "MINUS"):
            self.take()
            self.operand_after(token)
            return Not(self.parse_unary())
        return self.parse_primary()

    def parse_primary(self) -> Node:
        token = self.take()
        kind = token.kind
        if kind in ("WORD", "PHRASE", "EXACT", "EXACT_PHRASE"):
            return self.term(token)
        if kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise self.fail("empty parentheses", token.pos)
            node = self.parse_or()
            if self.peek().kind != "RPAREN":
                raise self.fail("unbalanced parenthesis", token.pos)
            self.take()
            return node
        if kind == "FIELD":
            return self.fielded(token)
        if kind == "RPAREN":
            raise self.fail("unbalanced parenthesis", token.pos)
        if kind in ("AND", "OR", "NEAR"):
            raise self.fail(f"{kind} needs a term before it", token.pos)
        raise self.fail("expected a term", token.pos)  # pragma: no cover - guarded by callers

    def term(self, token: Token) -> Term:
        exact = token.kind.startswith("EXACT")
        if not normalize_term(token.text, fold=not exact):
            raise self.fail("nothing to search for in this term", token.pos)
        phrase = token.kind.endswith("PHRASE")
        return Term(token.text, phrase=phrase, exact=exact, field=self.field)

    def fielded(self, field: Token) -> Node:
        value = self.peek()
        allowed = _TITLE_VALUES if field.text == "title" else ("WORD", "PHRASE")
        if value.pos != field.end or value.kind not in allowed:
            raise self.fail(f"{field.text}: needs a value right after the colon", field.pos)
        if field.text == "title":
            if self.field:
                return self.parse_primary()
            self.field = "title"
            try:
                return self.parse_primary()
            finally:
                self.field = ""
        if self.field:
            raise self.fail(f"{field.text}: cannot be used inside title:", field.pos)
        self.take()
        if field.text == "site":
            return Site(_site_host(value.text, value.pos, self.q))
        code = value.text.strip().lower().replace("_", "-")
        if not _LANG.fullmatch(code):
            raise self.fail("lang: needs a language code such as en or pt-br", value.pos)
        return Lang(code)


def _site_host(value: str, pos: int, query: str) -> str:
    host = doc_host(value)
    if not _HOST.fullmatch(host):
        raise QuerySyntaxError("site: needs a host name such as example.com", pos, query)
    return host


def _flat(kind: type[And] | type[Or], items: list[Node]) -> Node:
    if len(items) == 1:
        return items[0]
    children: list[Node] = []
    for item in items:
        children.extend(item.children if isinstance(item, kind) else (item,))
    return kind(tuple(children))


def parse_query(text: str) -> Node:
    """Parse a query into its AST, or raise :class:`QuerySyntaxError` with the position."""
    return _Parser(text, _Lexer(text).run()).parse()
