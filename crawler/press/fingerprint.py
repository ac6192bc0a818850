"""Near-duplicate fingerprints of main texts: what lets syndicated copies find each other.

A wire story picked up by other papers comes back with a new lead, a trimmed ending, a changed
headline or "Thérèse" spelled "Therese". Over the words of the text (case and accents folded)
every run of :data:`SHINGLE_WORDS` words is hashed to 64 bits; those shingles give

* a MinHash signature (datasketch's, :data:`BANDS` x :data:`ROWS` permutations) cut into bands,
  each band hashed to one 64-bit key. Two texts share a band key with probability
  ``1 - (1 - J**ROWS) ** BANDS`` for Jaccard resemblance ``J``: ~1.0 at J = 0.8, 0.93 at
  0.5, 0.15 at 0.2, ~0 for unrelated texts. The keys are stored in an indexed table, so the
  candidates for a new text are one indexed lookup, however many documents are stored;
* a 64-bit SimHash, kept on the document (``documents.fingerprint``) as its compact
  fingerprint.

Candidates are then verified on the texts themselves (:func:`near_duplicates`): the same
story when the shingle sets have Jaccard resemblance >= :data:`JACCARD_MIN`, or when nearly
all of the shorter one is in the longer (containment >= :data:`CONTAINMENT_MIN`: a pickup
that kept only the first half). The sample web's pickups measure J = 0.84-0.92 against their
original; unrelated articles from its sentence banks reach J = 0.43 and containment 0.60 at
most, real unrelated news far less. Texts under :data:`MIN_WORDS` words are not fingerprinted:
too short to tell a copy from a shared phrase. Pure.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np

SHINGLE_WORDS = 5
MIN_WORDS = 50
BANDS = 20
ROWS = 3
JACCARD_MIN = 0.6
CONTAINMENT_MIN = 0.9
_WORD = re.compile(r"\w+")
_SEED = 20261128
_MASK32 = 0xFFFFFFFF
_BITS = np.uint64(1) << np.arange(64, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The fingerprint of one text: SimHash, band keys (index = band number) and shingles."""

    simhash: int
    bands: tuple[int, ...]
    shingles: frozenset[int]


def words(text: str) -> list[str]:
    """The words of ``text``, case-folded, accents removed ("Thérèse" = "therese")."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    if not folded.isascii():
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.findall(folded)


def _hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def shingles(text: str) -> frozenset[int]:
    """64-bit hashes of every run of SHINGLE_WORDS words (the words alone for short texts)."""
    tokens = words(text)
    if len(tokens) < SHINGLE_WORDS:
        return frozenset(_hash64(t.encode()) for t in tokens)
    return frozenset(
        _hash64(" ".join(tokens[i : i + SHINGLE_WORDS]).encode())
        for i in range(len(tokens) - SHINGLE_WORDS + 1)
    )


def _signed(value: int) -> int:
    """An unsigned 64-bit value as the signed integer a BIGINT column holds."""
    return value - (1 << 64) if value >= 1 << 63 else value


def simhash(hashes: frozenset[int]) -> int:
    """Charikar's SimHash of a set of 64-bit hashes, as a signed 64-bit integer."""
    if not hashes:
        return 0
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    ones = ((values[:, None] & _BITS) != 0).sum(axis=0)
    bits = ones * 2 > len(values)
    return _signed(int(np.sum(_BITS[bits], dtype=np.uint64)))


#: datasketch's MinHash constants: a universal hash ``(a * h + b) mod (2**61 - 1)`` per
#: permutation, kept to 32 bits.
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64(_MASK32)


@functools.cache
def _permutations() -> tuple[Any, Any]:
    """The ``(a, b)`` parameters of the BANDS x ROWS permutations, drawn exactly as
    datasketch's ``MinHash(num_perm, seed)`` draws them (numpy's legacy ``RandomState``):
    stored band keys must not change. datasketch itself is not imported: its package
    imports scipy and redis (~0.4 CPU-s at quiet load, once per crawl or poll process that
    clusters a document; issue #14's start-up), for what is these two arrays and one line of
    numpy in :func:`minhash`. ``tests/press/test_fingerprint.py`` checks both against
    datasketch."""
    gen = np.random.RandomState(_SEED)
    pairs = [
        (gen.randint(1, _MERSENNE, dtype=np.uint64), gen.randint(0, _MERSENNE, dtype=np.uint64))
        for _ in range(BANDS * ROWS)
    ]
    a, b = np.array(pairs, dtype=np.uint64).T
    return a, b


def minhash(hashes: frozenset[int]) -> Any:
    """The MinHash signature (BANDS x ROWS unsigned 32-bit values, as uint64) of a set of
    64-bit hashes, each taken by its low 32 bits: datasketch's
    ``MinHash(num_perm, seed, hashfunc=lambda h: h & 0xFFFFFFFF).update_batch`` (its
    arithmetic wraps at 64 bits like this one)."""
    signature = np.full(BANDS * ROWS, _MAX_HASH, dtype=np.uint64)
    if not hashes:
        return signature
    a, b = _permutations()
    low = np.fromiter(hashes, dtype=np.uint64, count=len(hashes)) & _MAX_HASH
    permuted = ((low[:, None] * a + b) % _MERSENNE) & _MAX_HASH
    return np.minimum(signature, permuted.min(axis=0))


def band_keys(hashes: frozenset[int]) -> tuple[int, ...]:
    """The MinHash LSH band keys of a shingle set (signed 64-bit, one per band)."""
    values = minhash(hashes).astype("<u8")
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append(_signed(_hash64(bytes([band]) + chunk)))
    return tuple(keys)


def fingerprint(text: str) -> Fingerprint | None:
    """The fingerprint of ``text``, or None when it has fewer than MIN_WORDS words."""
    if len(text.split()) < MIN_WORDS:
        return None
    hashes = shingles(text)
    return Fingerprint(simhash(hashes), band_keys(hashes), hashes)


def resemblance(a: frozenset[int], b: frozenset[int]) -> tuple[float, float]:
    """(Jaccard resemblance, containment of the smaller set in the larger) of two sets."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


def near_duplicates(a: frozenset[int], b: frozenset[int]) -> bool:
    """Whether two shingle sets are the same story (see the module docstring)."""
    jaccard, containment = resemblance(a, b)
    return jaccard >= JACCARD_MIN or containment >= CONTAINMENT_MIN


def hamming(a: int, b: int) -> int:
    """Bits that differ between two (signed) 64-bit fingerprints."""
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()
