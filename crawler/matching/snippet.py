"""The few sentences around a hit, for the digest and the mentions list.

A reader decides in a glance whether a mention matters, so the snippet is the sentence that
contains the first hit (and the next one when there is room), cut at whitespace rather than
mid-word, with the hits' positions re-based onto the snippet so the template can bold them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.domain import Hit

ELLIPSIS = "…"
#: A sentence ends at . ! ? or … (optionally followed by closing quotes or brackets) before
#: whitespace, or at a line break (extracted paragraphs, headings) unless the next line goes
#: on in lower case (hard-wrapped text).
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+|\n\s*")
_ABBREV = "mr mrs ms dr prof st no vs etc e.g i.e jr sr gen col lt sgt rev fig inc ltd co corp"
_ABBREVIATIONS = frozenset(_ABBREV.split())
_WS = re.compile(r"\s+")
_CLOSERS = ".!?…\"'”’»)]"


@dataclass(frozen=True, slots=True)
class Snippet:
    """Snippet text and the ``(start, end)`` of each highlighted hit within it."""

    text: str
    highlights: tuple[tuple[int, int], ...]


def _sentence_bounds(text: str) -> list[int]:
    """Offsets where sentences start (always including 0 and ``len(text)``)."""
    bounds = [0]
    for m in _SENTENCE_END.finditer(text):
        word = text[: m.start()].rsplit(None, 1)[-1] if text[: m.start()].strip() else ""
        stem = word.rstrip(".!?…\"'”’»)]").lower()
        abbreviation = stem in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha())
        if abbreviation and text[m.start() - 1] == "." and "\n" not in m.group():
            continue  # "Dr. Touré", "J. Smith": not a sentence end
        wrapped = m.group().startswith("\n") and text[m.end() : m.end() + 1].islower()
        if wrapped and text[m.start() - 1 : m.start()] not in _CLOSERS:
            continue  # a hard-wrapped line going on
        bounds.append(m.end())
    if bounds[-1] != len(text):
        bounds.append(len(text))
    return bounds


def _cut(text: str, start: int, end: int, max_chars: int, focus: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` to at most ``max_chars`` around ``focus``, at whitespace."""
    if end - start <= max_chars:
        return start, end
    lo = max(start, min(focus - max_chars // 3, end - max_chars))
    hi = min(end, lo + max_chars)
    if lo > start:
        space = text.find(" ", lo, focus) if focus > lo else -1
        lo = space + 1 if space >= 0 else lo
    if hi < end:
        space = text.rfind(" ", max(lo, focus), hi)
        hi = space if space > lo else hi
    return lo, hi


def make_snippet(text: str, hits: Sequence[Hit], max_chars: int = 300) -> Snippet:
    """The sentence or two around the first hit of ``hits`` in ``text`` (the lead of the text
    when there is no hit), at most ``max_chars`` long including any ``…`` added at a cut."""
    max_chars = max(max_chars, 20)
    spans = sorted((h.start, h.end) for h in hits if 0 <= h.start < h.end <= len(text))
    bounds = _sentence_bounds(text)
    first = spans[0] if spans else (0, 0)
    k = max(i for i, b in enumerate(bounds[:-1]) if b <= first[0]) if len(bounds) > 1 else 0
    start, end = bounds[k], bounds[min(k + 1, len(bounds) - 1)]
    budget = max_chars - 2  # room for the ellipses
    # Take the next sentence too (or the one before) while it fits.
    if k + 2 < len(bounds) and bounds[k + 2] - start <= budget:
        end = bounds[k + 2]
    elif k > 0 and end - bounds[k - 1] <= budget:
        start = bounds[k - 1]
    end = max(end, min(first[1], len(text)))
    start, end = _cut(text, start, end, budget, first[0])
    return _render(text, start, end, spans)


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """Collapse whitespace in ``text[start:end]``, add ellipses, re-base the hits."""
    raw = text[start:end]
    lead = len(raw) - len(raw.lstrip())
    raw = raw.strip()
    offset = start + lead
    pieces: list[str] = []
    table: list[int] = []  # snippet position -> original offset
    pos = 0
    for m in _WS.finditer(raw):
        pieces.append(raw[pos : m.start()] + " ")
        table.extend(range(offset + pos, offset + m.start() + 1))
        pos = m.end()
    pieces.append(raw[pos:])
    table.extend(range(offset + pos, offset + len(raw) + 1))
    body = "".join(pieces)
    prefix = ELLIPSIS if start > 0 and not _starts_sentence(text, offset) else ""
    suffix = ELLIPSIS if offset + len(raw) < len(text.rstrip()) and not _ends_sentence(raw) else ""
    snippet = prefix + body + suffix
    index = {orig: i for i, orig in enumerate(table)}
    highlights: list[tuple[int, int]] = []
    for s, e in spans:
        if s >= offset and e <= offset + len(raw) and s in index and e in index:
            a, b = index[s] + len(prefix), index[e] + len(prefix)
            if highlights and a < highlights[-1][1]:
                highlights[-1] = (highlights[-1][0], max(b, highlights[-1][1]))
            else:
                highlights.append((a, b))
    return Snippet(snippet, tuple(highlights))


def _starts_sentence(text: str, offset: int) -> bool:
    before = text[:offset].rstrip()
    return not before or before[-1] in ".!?…\"'”’»)]" or "\n" in text[len(before) : offset]


def _ends_sentence(raw: str) -> bool:
    return bool(raw) and raw.rstrip("\"'”’»)]")[-1:] in (".", "!", "?", "…")
