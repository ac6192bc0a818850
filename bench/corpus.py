"""Where the shared real-world corpus is (``../shared/corpus`` or ``$MEDIAMON_CORPUS``).

The corpus is data for benchmarks and quality reports, never copied into the project: a fresh
clone has no ``../shared``, so whatever reads it asks :func:`corpus_dir` and says so (and
skips) when it returns None.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_dir(part: str = "") -> Path | None:
    """The corpus folder (or its ``part``), from ``$MEDIAMON_CORPUS`` or ``../shared/corpus``
    beside the repository (a worktree beside ``main`` finds it there too)."""
    candidates = [os.environ.get("MEDIAMON_CORPUS", "")]
    candidates += [
        str(ROOT.parent / "shared" / "corpus"),
        str(ROOT.parents[1] / "shared" / "corpus"),
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / part).is_dir():
            return Path(candidate) / part
    return None


def readability_pages() -> list[Path]:
    """The readability test pages (folders with ``source.html`` and ``expected.html``)."""
    base = corpus_dir("readability-pages")
    if base is None:
        return []
    return sorted(p for p in base.iterdir() if (p / "source.html").is_file())


def readability_sources() -> list[tuple[str, bytes]]:
    """(name, bytes of ``source.html``) of each readability page; empty, saying so on stdout,
    when the corpus is absent (the extraction benches then skip)."""
    folders = readability_pages()
    if not folders:
        print("skipped: no corpus (../shared/corpus/readability-pages or $MEDIAMON_CORPUS)")
    return [(f.name, (f / "source.html").read_bytes()) for f in folders]
