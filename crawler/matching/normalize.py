"""Text normalisation for matching, with a map back to the original offsets.

Users write ``Toure`` and expect ``Touré``; they write ``WCIT-12`` and the press prints
``WCIT‑12`` with a non-breaking hyphen; an extractor hands over paragraphs joined by blank
lines. So both the query terms and the document text are normalised the same way before any
matching, and because normalisation changes lengths (``ß`` → ``ss``, ``e`` + combining acute →
``e``, a blank line → one space) every normalised text keeps a compact map back to the original
offsets, so a hit is reported where the reader sees it.

Two forms exist:

* **folded** (case-insensitive terms): NFKC, casefold, strip diacritics, unify dashes and
  quotes, collapse whitespace;
* **exact** (case-sensitive ``{ITU}`` terms): NFKC, unify dashes and quotes, collapse
  whitespace — case and accents are kept.

Normalisation works per *cluster* (a base character and the combining marks that follow it),
so it can skip the pure-ASCII runs that make up most text and stay fast; ASCII needs only
lower-casing and whitespace collapsing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

#: Characters unified after NFKC: dash variants to ``-``, curly quotes to straight ones,
#: invisible in-word characters removed, and the zero-width space treated as a space.
_PUNCT_TABLE: dict[int, str | None] = {
    **{ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"},
    **{ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\uff07"},
    **{ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\uff02"},
    0x00AD: None,  # soft hyphen
    0x200C: None,  # zero-width non-joiner
    0x200D: None,  # zero-width joiner
    0x2060: None,  # word joiner
    0xFEFF: None,  # byte-order mark / zero-width no-break space
    0x200B: " ",  # zero-width space: a word break
}

#: Combining marks stripped as "diacritics": the Latin/Greek/Cyrillic combining blocks plus
#: Hebrew points and Arabic harakat (which searchers never type). Other marks (Indic vowel
#: signs, ...) carry meaning and are kept.
_DIACRITIC_RANGES: tuple[tuple[int, int], ...] = (
    (0x0300, 0x036F),
    (0x0591, 0x05C7),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)

#: Scripts written without spaces between words: word boundaries cannot be required there.
_CONTINUOUS_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x31BF),  # Bopomofo
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3FFFF),  # CJK extensions B..
)

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
#: ASCII whitespace other than the space (str.isspace); after the cluster pass these and the
#: space are the only whitespace left, because clusters map Unicode spaces to " ".
_ASCII_WS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
#: Regexes with a character-class start cost ~20-40 ns per character in CPython, which is more
#: than everything else together; so runs are located with str.isascii on chunks and
#: str.find / str.replace, which run at memchr speed.
_CHUNK = 64


def _in_ranges(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


@functools.lru_cache(maxsize=4096)
def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


@functools.lru_cache(maxsize=8192)
def _blocks_nonascii(char: str) -> bool:
    if char.isalnum():
        return not _in_ranges(ord(char), _CONTINUOUS_RANGES)
    return unicodedata.category(char)[0] == "M"


def is_word_char(char: str) -> bool:
    """Whether ``char`` is part of a word for the word-boundary rule.

    Letters, digits and combining marks are word characters; everything else (spaces,
    punctuation, ``-``, ``'``, ``_``) separates words. Letters of scripts written without
    spaces (CJK, Thai, ...) do not count, so a term there matches inside running text.
    """
    if char < "\x80":
        return char.isalnum()
    return _blocks_nonascii(char)


def _strip_diacritics(text: str) -> str:
    return "".join(c for c in text if not _in_ranges(ord(c), _DIACRITIC_RANGES))


def _spaces(text: str) -> str:
    return "".join(" " if c.isspace() else c for c in text)


@functools.lru_cache(maxsize=65536)
def fold_cluster(cluster: str) -> str:
    """The folded form of one cluster (base character plus its combining marks)."""
    text = unicodedata.normalize("NFKC", cluster).casefold()
    text = _strip_diacritics(unicodedata.normalize("NFKD", text))
    return _spaces(unicodedata.normalize("NFC", text).translate(_PUNCT_TABLE))


@functools.lru_cache(maxsize=65536)
def exact_cluster(cluster: str) -> str:
    """The exact (case-sensitive) form of one cluster: NFKC and punctuation unification."""
    return _spaces(unicodedata.normalize("NFKC", cluster).translate(_PUNCT_TABLE))


def split_clusters(text: str) -> list[str]:
    """Split ``text`` into clusters: each character plus the combining marks after it."""
    clusters: list[str] = []
    for char in text:
        if clusters and char > "\x7f" and _is_mark(char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


class _SegmentMap:
    """A piecewise map from positions in a derived string to positions in its source.

    Within a segment the map is the identity plus an offset; a new segment starts wherever
    that offset changes. Typical news text needs a few dozen segments, so mapping a hit is a
    binary search rather than a per-character table.
    """

    __slots__ = ("_dst", "_src", "_src_len")

    def __init__(self, dst: list[int], src: list[int], src_len: int) -> None:
        self._dst = dst
        self._src = src
        self._src_len = src_len

    def start(self, pos: int) -> int:
        k = bisect_right(self._dst, pos) - 1
        return self._src[k] + (pos - self._dst[k])

    def end(self, pos: int, dst_len: int) -> int:
        """Map an exclusive end: include what was dropped just before the next character."""
        if pos >= dst_len:
            return self._src_len
        if pos <= 0:
            return 0
        dst = self._dst
        k = bisect_right(dst, pos) - 1
        mapped = self._src[k] + (pos - dst[k])
        if dst[k] < pos:  # pos - 1 is in the same segment: it maps to mapped - 1
            return mapped
        return max(mapped, self.start(pos - 1) + 1)


class _Builder:
    """Accumulates normalised pieces and the segments of their map."""

    __slots__ = ("dst", "parts", "pos", "src")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.dst: list[int] = [0]
        self.src: list[int] = [0]
        self.pos = 0

    def _anchor(self, src_pos: int) -> None:
        if self.src[-1] - self.dst[-1] != src_pos - self.pos:
            if self.dst[-1] == self.pos:
                self.src[-1] = src_pos
            else:
                self.dst.append(self.pos)
                self.src.append(src_pos)

    def same_length(self, piece: str, src_pos: int) -> None:
        if piece:
            self._anchor(src_pos)
            self.parts.append(piece)
            self.pos += len(piece)

    def cluster(self, piece: str, src_pos: int, src_len: int) -> None:
        if len(piece) == src_len:
            self.same_length(piece, src_pos)
            return
        for char in piece:  # every output character points at the cluster's start
            self._anchor(src_pos)
            self.parts.append(char)
            self.pos += 1


@dataclass(frozen=True, slots=True)
class NormText:
    """A normalised text and the way back to offsets in the original."""

    text: str
    _first: _SegmentMap | None
    _second: _SegmentMap | None
    _mid_len: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of :attr:`text` to the original text."""
        s, e = start, end
        if self._second is not None:
            s, e = self._second.start(s), self._second.end(e, len(self.text))
        if self._first is not None:
            s, e = self._first.start(s), self._first.end(e, self._mid_len)
        return s, e


#: Non-ASCII characters common in running text (curly quotes, dashes, the no-break space)
#: that are clusters of their own and become one ASCII character in both forms: on English
#: news they are most of the non-ASCII characters, and each would start a run of its own.
_COMMON_PUNCTUATION = "\u00a0\u2010\u2011\u2012\u2013\u2014\u2018\u2019\u201c\u201d"


@functools.cache
def _one_to_one(fold: bool) -> tuple[tuple[str, str], ...]:
    """``_COMMON_PUNCTUATION`` with its normalised ASCII character: same-length replacements
    that :func:`str.replace` makes at memchr speed (``str.translate`` with a table is a dict
    lookup per character: slower than the pass it saves) before the per-cluster pass. A
    combining mark after one of them joins it as a cluster either way (``_is_mark`` below),
    and punctuation composes with no mark, so the result is the per-cluster one
    (property-tested against the character-table reference)."""
    convert = fold_cluster if fold else exact_cluster
    pairs = ((char, convert(char)) for char in _COMMON_PUNCTUATION)
    return tuple((char, out) for char, out in pairs if len(out) == 1 and out.isascii())


def _cluster_pass(text: str, fold: bool) -> tuple[str, _SegmentMap | None]:
    """Apply the per-cluster mapping; ASCII runs only need lower-casing (for folding)."""
    if not text.isascii():
        for char, ascii_char in _one_to_one(fold):
            if char in text:
                text = text.replace(char, ascii_char)
    if text.isascii():
        return (text.lower() if fold else text), None
    convert = fold_cluster if fold else exact_cluster
    out = _Builder()
    done = 0
    for start, end in [*_non_ascii_runs(text), (len(text), len(text))]:
        if done < start < len(text) and _is_mark(text[start]):
            start -= 1  # the ASCII character before belongs to this cluster
        if start > done:
            gap = text[done:start]
            out.same_length(gap.lower() if fold else gap, done)
        pos = start
        for cluster in split_clusters(text[start:end]):
            out.cluster(convert(cluster), pos, len(cluster))
            pos += len(cluster)
        done = end
    return "".join(out.parts), _SegmentMap(out.dst, out.src, len(text))


def _non_ascii_runs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each maximal run of non-ASCII characters."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = min(i + _CHUNK, n)
        if text[i:j].isascii():
            i = j
            continue
        m = _NON_ASCII.search(text, i)
        if m is None:  # pragma: no cover - the chunk has a non-ASCII character
            break
        runs.append(m.span())
        i = m.end()
    return runs


def _collapse_pass(text: str) -> tuple[str, _SegmentMap | None]:
    """Collapse every run of whitespace to one space."""
    for char in _ASCII_WS:
        if char in text:
            text = text.replace(char, " ")  # same length: no new segment
    pos = text.find("  ")
    if pos < 0:
        return text, None
    parts: list[str] = []
    dst = [0]
    src = [0]
    done = 0
    out = 0
    n = len(text)
    while pos >= 0:
        end = pos + 2
        while end < n and text[end] == " ":
            end += 1
        parts.append(text[done : pos + 1])
        out += pos + 1 - done
        done = end
        dst.append(out)
        src.append(done)
        pos = text.find("  ", end)
    parts.append(text[done:])
    return "".join(parts), _SegmentMap(dst, src, n)


def normalize(text: str, *, fold: bool = True) -> NormText:
    """Normalise ``text`` (folded or exact) keeping a map back to its offsets."""
    mid, first = _cluster_pass(text, fold)
    final, second = _collapse_pass(mid)
    return NormText(final, first, second, len(mid))


def normalize_term(text: str, *, fold: bool = True) -> str:
    """Normalise a query term: like the text, without leading or trailing space."""
    return normalize(text, fold=fold).text.strip(" ")
