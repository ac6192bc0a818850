"""A slow, obvious evaluator that the compiled matcher is tested against.

It shares only the definitions (how one cluster folds, what a word character is) with the
fast path, and does everything else the plain way: a per-character offset table instead of
segment maps, ``str.find`` at every position instead of an automaton, a direct walk of the AST
instead of compiled tests. When the two disagree on generated queries and texts, the fast
path is wrong. Not for production use: it is quadratic in places.
"""

from __future__ import annotations

import re

from crawler.matching.context import doc_host, doc_lang
from crawler.matching.matcher import MatchInput
from crawler.matching.nodes import And, Lang, Near, Node, Not, Or, Site, Term
from crawler.matching.normalize import (
    exact_cluster,
    fold_cluster,
    is_word_char,
    normalize_term,
    split_clusters,
)


def normalize_with_table(text: str, *, fold: bool) -> tuple[str, list[int]]:
    """Normalised text and, for every normalised character, its original offset (plus a
    final entry for the end)."""
    convert = fold_cluster if fold else exact_cluster
    chars: list[str] = []
    table: list[int] = []
    pos = 0
    for cluster in split_clusters(text):
        out = convert(cluster)
        # Same length: character for character; otherwise all point at the cluster's start.
        same = len(out) == len(cluster)
        for i, char in enumerate(out):
            if char.isspace():
                if chars and chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            table.append(pos + i if same else pos)
        pos += len(cluster)
    # Whitespace that only appears after cluster conversion is still collapsed above.
    table.append(len(text))
    return "".join(chars), table


def find_spans(term: Term, text: str) -> list[tuple[int, int]]:
    """Original spans of ``term`` in ``text``: every word-aligned occurrence, overlaps too."""
    key = normalize_term(term.text, fold=not term.exact)
    norm, table = normalize_with_table(text, fold=not term.exact)
    spans: set[tuple[int, int]] = set()
    start = norm.find(key)
    while start >= 0:
        end = start + len(key)
        before_ok = not (is_word_char(key[0]) and start > 0 and is_word_char(norm[start - 1]))
        after_ok = not (is_word_char(key[-1]) and end < len(norm) and is_word_char(norm[end]))
        if before_ok and after_ok:
            spans.add((table[start], max(table[end], table[end - 1] + 1)))
        start = norm.find(key, start + 1)
    return sorted(spans)


def _words(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text) if re.search(r"[^\W_]", m[0])]


def _word_range(words: list[tuple[int, int]], span: tuple[int, int]) -> tuple[int, int]:
    first = next((i for i, (_, e) in enumerate(words) if e > span[0]), len(words))
    last = max((i for i, (s, _) in enumerate(words) if s < span[1]), default=-1)
    return first, last


def _near(node: Near, doc: MatchInput) -> bool:
    zones = [doc.title] if node.left.field == "title" else [doc.title, doc.text]
    for text in zones:
        words = _words(text)
        for a in find_spans(node.left, text):
            for b in find_spans(node.right, text):
                if a == b:
                    continue
                if a[1] > b[0] and b[1] > a[0]:
                    return True
                x, y = (a, b) if a[0] < b[0] else (b, a)
                gap = _word_range(words, y)[0] - _word_range(words, x)[1] - 1
                if gap <= node.distance:
                    return True
    return False


def evaluate_slow(node: Node, doc: MatchInput) -> bool:
    """Whether ``node`` matches ``doc``, computed the straightforward way."""
    if isinstance(node, Term):
        zones = [doc.title] if node.field == "title" else [doc.title, doc.text]
        return any(find_spans(node, text) for text in zones)
    if isinstance(node, And):
        return all(evaluate_slow(child, doc) for child in node.children)
    if isinstance(node, Or):
        return any(evaluate_slow(child, doc) for child in node.children)
    if isinstance(node, Not):
        return not evaluate_slow(node.child, doc)
    if isinstance(node, Near):
        return _near(node, doc)
    if isinstance(node, Site):
        host = doc_host(doc.site)
        return host == node.host or host.endswith("." + node.host)
    if isinstance(node, Lang):
        lang = doc_lang(doc.lang)
        return lang == node.code or lang.startswith(node.code + "-")
    raise TypeError(node)  # pragma: no cover
