"""Where the shared real-world corpus is (``../shared/corpus`` beside the repository), for the
tests and benchmarks that read it. It is never copied into the project: a fresh clone has no
``../shared``, so callers skip (tests) or say so (benchmarks) when it is absent.

``MEDIAMON_CORPUS`` overrides the location (a git worktree elsewhere on the machine).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path | None:
    """The corpus folder, or None when it is not on this machine."""
    override = os.environ.get("MEDIAMON_CORPUS", "").strip()
    candidates = [Path(override)] if override else []
    candidates.append(ROOT.parent / "shared" / "corpus")
    for candidate in candidates:
        if (candidate / "wild-feeds").is_dir():
            return candidate
    return None


def wild_feeds() -> list[Path]:
    """The wild-feeds files (one feed each, no extension), sorted; [] when absent."""
    corpus = corpus_dir()
    if corpus is None:
        return []
    folder = corpus / "wild-feeds"
    return sorted(p for p in folder.iterdir() if p.is_file() and "." not in p.name)


ABSENT = (
    "the shared corpus is not here (../shared/corpus beside the repository, or set "
    "MEDIAMON_CORPUS): corpus tests skipped"
)
