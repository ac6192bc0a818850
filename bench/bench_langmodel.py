"""What py3langid's model costs a process: LZMA-decompressed (stock) or mapped from the cache.

``crawler.press.langmodel`` keeps a decompressed copy of the model as ``.npy`` files and maps
them (issue #14). Measured here, each in fresh child processes run in turn (``--rounds N``,
medians):

* start-up: the CPU-s of ``python -c "from crawler.press.language import _identifier;
  _identifier()"`` with no cache (it is written), with the cache present, and of the same
  process loading py3langid's own way (``from_model_file``, as before the cache); and the
  load call alone, timed inside a child that has imported what a crawl child has (numpy,
  py3langid, crawler.config);
* ``classify`` over ~500 texts (the first 1,000 characters of the readability pages, repeated;
  built texts when the corpus is absent) with the cached and the stock identifier, same
  process: the first pass (the mapped pages are faulted in) and the median of the others.

Every child uses a temporary ``$MEDIAMON_CACHE_DIR``: the real cache is never touched. Prints
figures; asserts nothing (but says when the two identifiers disagree).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import readability_pages

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = "import numpy, py3langid.langid, crawler.config, crawler.press.language; "
NOW = "from crawler.press.language import _identifier; _identifier()"
BEFORE = (
    "from crawler.press.language import _identifier; "
    "from py3langid.langid import MODEL_FILE, LanguageIdentifier; "
    "LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)"
)
CHILDREN = {
    "cached, no cache yet (cold)": NOW,
    "cached, cache present (warm)": NOW,
    "stock py3langid (before)": BEFORE,
    "imports only (numpy, py3langid, crawler.config)": IMPORTS,
}
LOAD_ALONE = {
    "cached, no cache yet (cold)": "from crawler.press.langmodel import load_identifier as f",
    "cached, cache present (warm)": "from crawler.press.langmodel import load_identifier as f",
    "stock py3langid (before)": "from py3langid.langid import MODEL_FILE, LanguageIdentifier; "
    "f = lambda: LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)",
}


def child_cpu(code: str, cache: Path) -> float:
    """CPU-s (user + system) of ``python -c code`` with ``cache`` as the cache folder."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "MEDIAMON_CACHE_DIR": str(cache)}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def load_alone(code: str, cache: Path) -> float:
    """CPU-s of the load call alone, in a child that has imported what a crawl child has."""
    timed = (
        f"{IMPORTS}import time; {code}; t = time.process_time(); f(); "
        "print(time.process_time() - t)"
    )
    env = {**os.environ, "MEDIAMON_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", timed], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return float(done.stdout)


def startup(rounds: int, cache: Path) -> None:
    whole: dict[str, list[float]] = {name: [] for name in CHILDREN}
    alone: dict[str, list[float]] = {name: [] for name in LOAD_ALONE}
    for _ in range(rounds):
        for name, code in CHILDREN.items():
            if "cold" in name:
                shutil.rmtree(cache, ignore_errors=True)
            whole[name].append(child_cpu(code, cache))
        for name, code in LOAD_ALONE.items():
            if "cold" in name:
                shutil.rmtree(cache, ignore_errors=True)
            alone[name].append(load_alone(code, cache))
    print(f"start-up, CPU-s, median of {rounds} (min-max)")
    print("| | whole process | the load call alone |")
    print("|---|---|---|")
    for name, figures in whole.items():
        cell = _cell(alone[name]) if name in alone else ""
        print(f"| {name} | {_cell(figures)} | {cell} |")


def _cell(figures: list[float]) -> str:
    return f"{statistics.median(figures):.3f} ({min(figures):.3f}-{max(figures):.3f})"


def texts(count: int = 520) -> list[str]:
    """~``count`` texts as ``detect_language`` reads them (the first 1,000 characters)."""
    import lxml.html

    found = []
    for folder in readability_pages():
        root = lxml.html.fromstring((folder / "expected.html").read_bytes())
        found.append(" ".join(root.text_content().split())[:1000])
    if not found:
        print("no corpus: built texts")
        found = [f"Sentence number {i} of a built text about the weather. " * 15 for i in range(50)]
    return (found * (count // len(found) + 1))[:count]


def classify_speed(rounds: int, cache: Path) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from crawler.press.langmodel import load_identifier

    sample = texts()
    load_identifier(cache)  # written, so that the next one maps it
    identifiers: dict[str, Any] = {
        "cached (mapped)": load_identifier(cache),
        "stock": LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True),
    }
    answers = {name: [i.classify(t) for t in sample[:50]] for name, i in identifiers.items()}
    if len({repr(a) for a in answers.values()}) != 1:
        print("THE IDENTIFIERS DISAGREE")
    # A fresh mapped identifier for the first pass: the one above has touched its pages.
    identifiers["cached (mapped)"] = load_identifier(cache)
    spent: dict[str, list[float]] = {name: [] for name in identifiers}
    for _ in range(rounds + 1):
        for name, identifier in identifiers.items():
            spent[name].append(_pass(identifier.classify, sample))
    print(f"\nclassify, {len(sample)} texts, ms per pass: first pass, then median of {rounds}")
    print("| | first pass | others, median (min-max) |")
    print("|---|---|---|")
    for name, figures in spent.items():
        rest = [f * 1000 for f in figures[1:]]
        print(
            f"| {name} | {figures[0] * 1000:.0f} | {statistics.median(rest):.0f} "
            f"({min(rest):.0f}-{max(rest):.0f}) |"
        )


def _pass(classify: Callable[[str], Any], sample: list[str]) -> float:
    started = time.process_time()
    for text in sample:
        classify(text)
    return time.process_time() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-langmodel-") as folder:
        cache = Path(folder) / "cache"
        startup(args.rounds, cache)
        classify_speed(args.rounds, cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
