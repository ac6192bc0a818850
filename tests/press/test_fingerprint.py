"""Near-duplicate fingerprints (pure): syndicated copies resemble, unrelated texts do not."""

from __future__ import annotations

from random import Random

from crawler.press.fingerprint import (
    BANDS,
    MIN_WORDS,
    ROWS,
    band_keys,
    fingerprint,
    hamming,
    minhash,
    near_duplicates,
    resemblance,
    shingles,
    words,
)

_SEED = 20261128

_VOCABULARY = """orbit satellite registry agency debris launch operator spectrum council minister
report figures rise week treaty conference rule station ground signal frequency board
harbour shipping council budget vote road school hospital river bridge farm market"""
VOCABULARY = _VOCABULARY.split()


def article(seed: int, n: int = 300) -> str:
    rng = Random(seed)
    return " ".join(rng.choice(VOCABULARY) + ("." if i % 12 == 11 else "") for i in range(n))


def test_short_texts_are_not_fingerprinted() -> None:
    assert fingerprint("word " * (MIN_WORDS - 1)) is None
    assert fingerprint("word " * MIN_WORDS) is not None


def test_words_fold_case_and_accents() -> None:
    assert words("Thérèse NGOUMOU, l'ORA") == ["therese", "ngoumou", "l", "ora"]


def test_an_edited_copy_is_a_near_duplicate_and_an_unrelated_text_is_not() -> None:
    original = article(1)
    edited = "A new lead paragraph written locally. " + original[: int(len(original) * 0.9)]
    a, b, c = fingerprint(original), fingerprint(edited), fingerprint(article(2))
    assert a is not None
    assert b is not None
    assert c is not None
    assert near_duplicates(a.shingles, b.shingles)
    assert not near_duplicates(a.shingles, c.shingles)
    assert sum(x == y for x, y in zip(a.bands, b.bands, strict=True)) >= 1  # a candidate
    assert sum(x == y for x, y in zip(a.bands, c.bands, strict=True)) == 0
    assert hamming(a.simhash, b.simhash) < hamming(a.simhash, c.simhash)


def test_a_trimmed_pickup_is_contained() -> None:
    original = article(3, 600)
    first_half = original[: len(original) // 2]
    jaccard, containment = resemblance(shingles(original), shingles(first_half))
    assert jaccard < 0.6
    assert containment > 0.95
    assert near_duplicates(shingles(original), shingles(first_half))


WIRE = (
    "The Orbital Registry Agency will publish a global register of debris-generating events "
    "in orbit, its Secretary-General said on Monday, in a move welcomed by satellite operators "
    "and astronomers. Thérèse Ngoumou told reporters that the debris register would go live "
    "within days and would list every break-up, collision and unplanned release."
)


def test_fingerprints_are_stable_across_processes_and_versions() -> None:
    # Stored band keys must mean the same thing to every worker and every later run: a
    # change of hashing (or of datasketch's permutations) would silently stop clustering.
    found = fingerprint(WIRE)
    assert found is not None
    assert len(found.bands) == BANDS
    assert found.simhash == 3131075997662040756
    assert found.bands[:2] == (5855649631170503759, -6817461167386594932)


def test_minhash_is_datasketchs_signature() -> None:
    # The signature is computed without importing datasketch (its scipy import costs every
    # clustering process ~0.4 CPU-s): it must stay datasketch's, value for value, for sets
    # of every size (hashes with high bits set, one element, none), or stored band keys
    # would stop meaning the same thing.
    from datasketch import MinHash

    rng = Random(7)
    for size in (0, 1, 2, 5, 300, 4000):
        hashes = frozenset(rng.getrandbits(64) for _ in range(size))
        reference = MinHash(num_perm=BANDS * ROWS, seed=_SEED, hashfunc=lambda h: h & 0xFFFFFFFF)
        reference.update_batch(list(hashes))
        assert minhash(hashes).tolist() == reference.hashvalues.tolist()
        assert len(band_keys(hashes)) == BANDS
