"""Snippets with the matched terms marked, safely.

The view model carries a snippet as segments (plain text + "is this a hit"), which is what the
golden file records and what the text version prints. HTML is made only by ``mark_html``:
every piece of web text goes through ``markupsafe.escape`` and only our own ``<mark>`` tags
are ``Markup``; nothing from the web is ever passed to ``|safe``.

Where the hits come from: ``mentions.hits`` are ``(start, end)`` offsets into the snippet
(the matcher re-bases them); when a mention has none (or they do not fit the snippet, e.g. a
snippet edited by a later sighting) the matched terms are searched for, case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ELLIPSIS = "…"
_FIELD = re.compile(r"^(?:title|site|lang):", re.IGNORECASE)
_OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    marked: bool = False


def _valid(hits: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    spans = [(a, b) for a, b in hits if 0 <= a < b <= length]
    return spans


def _term_pattern(term: str) -> str | None:
    term = term.strip()
    if not term or term.startswith("-") or term.upper() in _OPERATORS:
        return None
    term = _FIELD.sub("", term).strip().strip('"').strip()
    if not term:
        return None
    words = [re.escape(w) for w in term.split()]
    return r"\s+".join(words)


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Where the terms occur in ``text``: whole words first, any position as a fallback
    (scripts without spaces between words have no word boundaries to find)."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        pattern = _term_pattern(term)
        if pattern is None:
            continue
        bounded = re.compile(rf"(?<!\w){pattern}(?!\w)", re.IGNORECASE)
        found = [m.span() for m in bounded.finditer(text)]
        if not found:
            found = [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]
        spans += [s for s in found if s[0] < s[1]]
    return spans


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _window(text: str, spans: Sequence[tuple[int, int]], max_chars: int) -> tuple[int, int]:
    """At most ``max_chars`` of ``text``, starting a little before the first hit, cut at
    whitespace."""
    if len(text) <= max_chars:
        return 0, len(text)
    focus = spans[0][0] if spans else 0
    lo = max(0, min(focus - max_chars // 4, len(text) - max_chars))
    if lo > 0:
        space = text.find(" ", lo, focus)
        lo = space + 1 if space >= 0 else lo
    hi = min(len(text), lo + max_chars)
    if hi < len(text):
        space = text.rfind(" ", max(lo, spans[0][1] if spans else lo), hi)
        hi = space if space > lo else hi
    return lo, hi


def highlight(
    snippet: str,
    hits: Sequence[tuple[int, int]] = (),
    terms: Sequence[str] = (),
    max_chars: int = 400,
) -> tuple[Segment, ...]:
    """Split ``snippet`` into plain and marked segments, shortened to ``max_chars``."""
    if not snippet:
        return ()
    spans = _valid(hits, len(snippet)) or term_spans(snippet, terms)
    spans = _merge(spans)
    lo, hi = _window(snippet, spans, max_chars)
    segments: list[Segment] = []
    if lo > 0:
        segments.append(Segment(ELLIPSIS))
    pos = lo
    for a, b in spans:
        a, b = max(a, lo), min(b, hi)
        if a >= b:
            continue
        if a > pos:
            segments.append(Segment(snippet[pos:a]))
        segments.append(Segment(snippet[a:b], marked=True))
        pos = b
    if pos < hi:
        segments.append(Segment(snippet[pos:hi]))
    if hi < len(snippet):
        segments.append(Segment(ELLIPSIS))
    return _join_plain(segments)


def _join_plain(segments: list[Segment]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for s in segments:
        if out and not s.marked and not out[-1].marked:
            out[-1] = Segment(out[-1].text + s.text)
        else:
            out.append(s)
    return tuple(out)


def mark_html(segments: Iterable[Segment]) -> Markup:
    """HTML for a highlighted snippet: escaped text, our ``<mark>`` tags only."""
    parts: list[Markup] = []
    for s in segments:
        text = escape(s.text)
        parts.append(Markup("<mark>%s</mark>") % text if s.marked else text)
    return Markup("").join(parts)


def mark_text(segments: Iterable[Segment]) -> str:
    """Plain-text form: hits in *asterisks*, the convention mail readers know."""
    return "".join(f"*{s.text}*" if s.marked else s.text for s in segments)
