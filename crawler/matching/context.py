"""What one document offers to the compiled queries, computed lazily and cached.

Most documents match nothing and should pay for nothing: the case-sensitive form of a text
is built only if some pattern needs it, a pattern outside the scanned (trigger) automaton is
looked for with ``str.find`` only when a candidate query asks for it, and offsets in the
original text and word gaps for ``NEAR`` are computed only for the queries being evaluated.
"""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_left

from crawler.domain import Hit
from crawler.matching.normalize import NormText, is_word_char, normalize
from crawler.matching.plan import CAnd, CNear, CNode, COr, CTerm, Pattern

_WORDY = re.compile(r"[^\W_]")
_NONE: list[int] = []
#: Context kept around a folded hit when checking a case-sensitive term in place.
_MARGIN = 32
#: Beyond this many folded hits to check, building the whole exact text is cheaper.
_MAX_CHECKS = 8


def doc_host(site: str) -> str:
    """A host as ``site:`` compares it (the query's and the document's alike): lower case,
    no scheme, path, port or ``www.``, international names in their ``xn--`` form."""
    site = site.strip().lower()
    if "://" in site:
        site = site.split("://", 1)[1]
    site = site.split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    if not site.isascii():
        with contextlib.suppress(UnicodeError):  # an invalid name is compared as written
            site = site.encode("idna").decode("ascii")
    return site.removeprefix("www.")


def doc_lang(lang: str) -> str:
    return lang.strip().lower().replace("_", "-")


def words_between(text: str, a: tuple[int, int], b: tuple[int, int], limit: int) -> int:
    """How many words of ``text`` lie between spans ``a`` and ``b`` (either order), counting
    no further than ``limit + 1``. Words are whitespace-separated tokens with a letter or
    digit (a lone dash is not a word); a token touching a hit belongs to that hit. Only the
    first few tokens of the gap are split off, so a far-away pair costs no more than a near
    one."""
    if a[0] > b[0] or (a[0] == b[0] and a[1] > b[1]):
        a, b = b, a
    if a[1] >= b[0]:
        return 0
    gap = text[a[1] : b[0]]
    rest = gap
    count = 0
    first = True
    while True:
        parts = rest.split(maxsplit=limit + 2)
        truncated = len(parts) == limit + 3
        tokens = parts[:-1] if truncated else parts
        if first and tokens and not gap[0].isspace():
            tokens = tokens[1:]  # the rest of a's last word
        if not truncated and tokens and not gap[-1].isspace():
            tokens = tokens[:-1]  # the start of b's first word
        for token in tokens:
            if _WORDY.search(token):
                count += 1
                if count > limit:
                    return count
        if not truncated:
            return count
        rest = parts[-1]
        first = False


def _nearest(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Starts of ``spans`` and, for each prefix, the index of the span that ends last."""
    starts = [s for s, _ in spans]
    best: list[int] = []
    top = 0
    for i, (_, end) in enumerate(spans):
        if end > spans[top][1]:
            top = i
        best.append(top)
    return starts, best


def find_all(text: str, key: str) -> list[int]:
    """Starts of the word-aligned occurrences of ``key`` in normalised ``text`` (overlapping
    ones too): the same answer the automaton scan gives, for one key."""
    size = len(key)
    n = len(text)
    left, right = is_word_char(key[0]), is_word_char(key[-1])
    out: list[int] = []
    i = text.find(key)
    while i >= 0:
        if not (left and i and is_word_char(text[i - 1])) and not (
            right and i + size < n and is_word_char(text[i + size])
        ):
            out.append(i)
        i = text.find(key, i + 1)
    return out


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """A stretch of ``text`` around ``[start, end)`` that begins at a whitespace character
    (or the start) and ends before one (or at the end): it normalises exactly as it does
    inside the whole text, because clusters never straddle whitespace."""
    lo, hi, n = max(0, start - _MARGIN), min(len(text), end + _MARGIN), len(text)
    while lo > 0 and not text[lo].isspace():
        lo -= 1
    while hi < n and not text[hi].isspace():
        hi += 1
    return lo, hi


def _hit_order(hit: Hit) -> tuple[int, int, str]:
    return hit.start, hit.end, hit.term


def _mapped(norm: NormText, starts: list[int], size: int) -> list[tuple[int, int]]:
    return sorted({norm.span(s, s + size) for s in starts}) if starts else []


class ZoneText:
    """The title or the text of a document, with its normalised forms made on first use."""

    __slots__ = ("_exact", "_folded", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded: NormText | None = None
        self._exact: NormText | None = None

    @property
    def has_exact(self) -> bool:
        return self._exact is not None

    def norm(self, exact: bool) -> NormText:
        if exact:
            if self._exact is None:
                self._exact = normalize(self.text, fold=False)
            return self._exact
        if self._folded is None:
            self._folded = normalize(self.text, fold=True)
        return self._folded


class Context:
    """One document as the query tests see it.

    ``found`` holds the scan results per zone as (folded key -> starts, exact key -> starts)
    for the keys in ``scanned`` (folded keys, exact keys); any other pattern is looked up on
    demand.
    """

    __slots__ = (
        "_hits",
        "_spans",
        "_starts",
        "fold_keys",
        "found",
        "host",
        "lang",
        "patterns",
        "scanned",
        "zones",
    )

    def __init__(
        self,
        patterns: dict[int, Pattern],
        fold_keys: dict[int, str | None],
        zones: dict[str, ZoneText],
        found: dict[str, tuple[dict[str, list[int]], dict[str, list[int]]]],
        scanned: tuple[frozenset[str], frozenset[str]],
        host: str,
        lang: str,
    ) -> None:
        self.patterns = patterns
        self.fold_keys = fold_keys
        self.zones = zones
        self.found = found
        self.scanned = scanned
        self.host = host
        self.lang = lang
        self._starts: dict[tuple[str, str], list[int]] = {}
        self._spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
        self._hits: dict[tuple[str, int, str], tuple[Hit, ...]] = {}

    def _scanned(self, zone: str, exact: bool, key: str) -> list[int] | None:
        if key in self.scanned[exact]:
            return self.found[zone][exact].get(key, _NONE)
        return None

    def _folded_starts(self, zone: str, key: str) -> list[int]:
        """Starts of folded ``key`` in the folded text: scanned, or found now and cached."""
        starts = self._scanned(zone, False, key)
        if starts is None:
            starts = self._starts.get((zone, key))
            if starts is None:
                starts = find_all(self.zones[zone].norm(False).text, key)
                self._starts[(zone, key)] = starts
        return starts

    def present(self, pid: int, title_only: bool) -> bool:
        pattern = self.patterns[pid]
        if pattern.exact:
            found = bool(self.spans("title", pid))
            return found or (not title_only and bool(self.spans("text", pid)))
        if self._folded_starts("title", pattern.key):
            return True
        return not title_only and bool(self._folded_starts("text", pattern.key))

    def spans(self, zone: str, pid: int) -> list[tuple[int, int]]:
        """Original-text spans of pattern ``pid`` in ``zone``, sorted."""
        cached = self._spans.get((zone, pid))
        if cached is None:
            pattern = self.patterns[pid]
            if pattern.exact:
                cached = self._exact_spans(zone, pattern, self.fold_keys[pid])
            else:
                starts = self._folded_starts(zone, pattern.key)
                cached = _mapped(self.zones[zone].norm(False), starts, len(pattern.key))
            self._spans[(zone, pid)] = cached
        return cached

    def _exact_spans(
        self, zone: str, pattern: Pattern, fold_key: str | None
    ) -> list[tuple[int, int]]:
        """Spans of a case-sensitive pattern. Unless the exact text is scanned or already
        built, each folded hit of its folded form is checked in place (a case-sensitive hit
        is always also a folded one), which spares building the exact form of the text."""
        zone_text = self.zones[zone]
        size = len(pattern.key)
        starts = self._scanned(zone, True, pattern.key)
        if starts is not None:
            return _mapped(zone_text.norm(True), starts, size)
        folded = self._folded_starts(zone, fold_key) if fold_key else None
        if folded is None or len(folded) > _MAX_CHECKS or zone_text.has_exact:
            norm = zone_text.norm(True)
            return _mapped(norm, find_all(norm.text, pattern.key), size)
        text = zone_text.text
        norm_folded = zone_text.norm(False)
        spans: set[tuple[int, int]] = set()
        for start in folded:
            lo, hi = _window(text, *norm_folded.span(start, start + len(fold_key or "")))
            local = normalize(text[lo:hi], fold=False)
            for found in find_all(local.text, pattern.key):
                a, b = local.span(found, found + size)
                spans.add((lo + a, lo + b))
        return sorted(spans)

    def near_pairs(
        self, node: CNear, first_only: bool = False
    ) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
        """Pairs of occurrences (zone, span a, span b) close enough to satisfy ``node``."""
        pairs: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
        zones = ("title",) if node.a.title_only else ("title", "text")
        for zone in zones:
            if not self.spans(zone, node.a.pid) or not self.spans(zone, node.b.pid):
                continue
            text = self.zones[zone].text
            limit = node.distance
            spans_b = self.spans(zone, node.b.pid)
            starts, ends_last = _nearest(spans_b)
            for a in self.spans(zone, node.a.pid):
                # The fewest words lie between a and either the first b starting at or
                # after it, or the b before it that ends last: only those two are tried.
                k = bisect_left(starts, a[0])
                candidates = [spans_b[ends_last[k - 1]]] if k else []
                if k < len(spans_b) and spans_b[k] == a:
                    k += 1
                if k < len(spans_b):
                    candidates.append(spans_b[k])
                for b in candidates:
                    if a != b and words_between(text, a, b, limit) <= limit:
                        pairs.append((zone, a, b))
                        if first_only:
                            return pairs
        return pairs

    def term_hits(self, zone: str, term: CTerm) -> tuple[Hit, ...]:
        """The hits of ``term`` in ``zone``, shared by every query that reports them."""
        key = (zone, term.pid, term.label)
        cached = self._hits.get(key)
        if cached is None:
            cached = tuple(Hit(term.label, s, e) for s, e in self.spans(zone, term.pid))
            self._hits[key] = cached
        return cached

    def collect(self, root: CNode) -> tuple[tuple[str, ...], tuple[Hit, ...], tuple[Hit, ...]]:
        """The contributing positive terms of a matched query and their hits per zone."""
        terms: dict[str, None] = {}
        hits: dict[str, set[Hit]] = {"title": set(), "text": set()}
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, CTerm):
                zones = ("title",) if node.title_only else ("title", "text")
                for zone in zones:
                    found = self.term_hits(zone, node)
                    if found:
                        hits[zone].update(found)
                        terms[node.label] = None
            elif isinstance(node, CAnd):
                stack.extend(reversed(node.parts))
            elif isinstance(node, COr):
                stack.extend(p for p in reversed(node.parts) if p.test(self))
            elif isinstance(node, CNear):
                for zone, a, b in self.near_pairs(node):
                    hits[zone].add(Hit(node.a.label, *a))
                    hits[zone].add(Hit(node.b.label, *b))
                    terms[node.a.label] = None
                    terms[node.b.label] = None

        def ordered(zone: str) -> tuple[Hit, ...]:
            return tuple(sorted(hits[zone], key=_hit_order))

        return tuple(terms), ordered("title"), ordered("text")
