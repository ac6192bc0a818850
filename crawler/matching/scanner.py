"""The automata: one pass of pyahocorasick over a text, keeping only word-aligned hits.

pyahocorasick finds every occurrence of every key in C; the only per-hit Python work is the
word-boundary check (``ITU`` must not count inside ``ITUC``). Keys are normalised terms: the
folded automaton runs over the folded text, the optional exact automaton (case-sensitive
``{ACRONYM}`` terms) over the exact text, which is then the only reason to build that form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from crawler.matching.context import ZoneText
from crawler.matching.normalize import is_word_char

try:
    import ahocorasick
except ImportError as exc:  # pragma: no cover - a declared dependency
    raise ImportError("crawler.matching needs pyahocorasick (pip install pyahocorasick)") from exc

#: Key -> normalised start offsets of its word-aligned occurrences.
Found = dict[str, list[int]]


def build_automaton(keys: Iterable[str]) -> object | None:
    """An automaton over ``keys`` (``None`` when there are none: nothing to scan)."""
    auto = ahocorasick.Automaton()
    added = False
    for key in keys:
        auto.add_word(key, (key, len(key), is_word_char(key[0]), is_word_char(key[-1])))
        added = True
    if not added:
        return None
    auto.make_automaton()
    return cast(object, auto)


def scan(auto: object | None, norm: str, found: Found) -> None:
    """Add the word-aligned hits of ``auto`` in ``norm`` to ``found``.

    A boundary is checked only on a side where the key has a word character, so ``.NET``
    matches after a letter but ``NET`` does not.
    """
    if auto is None or not norm:
        return
    last = len(norm) - 1
    for end, (key, length, left, right) in auto.iter(norm):  # type: ignore[attr-defined]
        start = end - length + 1
        if left and start and is_word_char(norm[start - 1]):
            continue
        if right and end < last and is_word_char(norm[end + 1]):
            continue
        starts = found.get(key)
        if starts is None:
            found[key] = [start]
        else:
            starts.append(start)


class KeyScanner:
    """A folded and an optional exact automaton, and the keys each holds."""

    __slots__ = ("exact", "exact_keys", "folded", "keys")

    def __init__(self, keys: Iterable[str] = (), exact_keys: Iterable[str] = ()) -> None:
        self.keys = frozenset(keys)
        self.exact_keys = frozenset(exact_keys)
        self.folded = build_automaton(sorted(self.keys))
        self.exact = build_automaton(sorted(self.exact_keys))

    def scan(self, zone: ZoneText) -> tuple[Found, Found]:
        """Hits in ``zone``: (folded key -> starts, exact key -> starts)."""
        folded: Found = {}
        exact: Found = {}
        if self.folded is not None:
            scan(self.folded, zone.norm(False).text, folded)
        if self.exact is not None:
            scan(self.exact, zone.norm(True).text, exact)
        return folded, exact
