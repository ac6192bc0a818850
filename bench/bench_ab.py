"""``extract_article`` of another revision (``main`` by default) and of this checkout,
interleaved page by page in one process.

The shared machine's load moves a whole-run figure by 15-40 % between two runs (BENCHMARKS.md
#14), far more than a saving of a few percent. Here both versions extract every one of the
130 readability pages (``../shared/corpus/readability-pages`` or ``$MEDIAMON_CORPUS``) in
turn, the order swapped on every page, so load hits them alike; each version's CPU-seconds
are summed, and the outputs are compared (they must be identical: these savings change no
result).

"Before" is the ``crawler`` package of ``--ref`` (a git revision of this repository, exported
with ``git archive`` into a temporary folder) or of ``--before DIR`` (a checkout), imported
under its own module objects next to this checkout's: the two never share a module (a lazy
``import crawler...`` inside a function at call time would find this checkout's; third-party
packages are the same for both).

Prints the CPU ms per page of each version, the ratio and whether every output is equal.
``--rounds N`` repeats the whole pass (default 3).
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import ROOT, readability_sources


def export(ref: str, into: Path) -> Path:
    """The ``crawler`` package of git revision ``ref``, written under ``into``."""
    archive = into / "before.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", ref, "crawler"], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def import_extract(before: Path) -> ModuleType:
    """``crawler.extract`` from the folder ``before``, then this checkout's modules back in
    ``sys.modules`` (the returned module keeps the other version's)."""
    ours = {k: v for k, v in sys.modules.items() if k == "crawler" or k.startswith("crawler.")}
    for name in ours:
        del sys.modules[name]
    sys.path.insert(0, str(before))
    try:
        import crawler.extract as other

        assert Path(other.__file__ or "").is_relative_to(before), other.__file__
    finally:
        sys.path.remove(str(before))
        for name in [k for k in sys.modules if k == "crawler" or k.startswith("crawler.")]:
            del sys.modules[name]
        sys.modules.update(ours)
    return other


def fields(article: Any) -> tuple[Any, ...]:
    """An ``ExtractedArticle``'s values (the two versions' classes are not the same class)."""
    return dataclasses.astuple(article)


def one_round(
    pages: list[tuple[str, bytes]],
    versions: dict[bool, Any],
    spent: dict[bool, float],
    options: dict[str, Any],
) -> bool:
    """Extract every page with both versions; whether all outputs were equal."""
    equal = True
    for index, (name, body) in enumerate(pages):
        url = f"http://127.0.0.1/{name}"
        out: dict[bool, Any] = {}
        for old in (True, False) if index % 2 else (False, True):
            started = time.process_time()
            out[old] = versions[old](body, url, **options)
            spent[old] += time.process_time() - started
        equal = equal and fields(out[True]) == fields(out[False])
    return equal


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ref", default="main", help="git revision of 'before' (default main)")
    parser.add_argument("--before", default="", help="a checkout of 'before' (instead of --ref)")
    parser.add_argument(
        "--text-only",
        action="store_true",
        help="as a crawl extracts a page that names none of our hosts (no links wanted); "
        "by default every page's links are wanted",
    )
    args = parser.parse_args(argv)
    options: dict[str, Any] = {"link_hosts": ()} if args.text_only else {}
    pages = readability_sources()
    if not pages:
        return 0
    with tempfile.TemporaryDirectory(prefix="bench_ab_") as scratch:
        before = Path(args.before) if args.before else export(args.ref, Path(scratch))
        other = import_extract(before.resolve())
        from crawler import extract

        versions = {True: other.extract_article, False: extract.extract_article}
        # warm up on every page: each version loads its own caches on first use (its own
        # language model, ~0.5 CPU-s, on the first page that declares no language)
        one_round(pages, versions, {True: 0.0, False: 0.0}, options)
        spent = {True: 0.0, False: 0.0}
        results = [one_round(pages, versions, spent, options) for _ in range(args.rounds)]
    equal = all(results)  # every round runs
    count = len(pages) * args.rounds
    old, new = spent[True] / count * 1000, spent[False] / count * 1000
    label = args.before or args.ref
    wanted = "no links wanted" if args.text_only else "links wanted"
    print(
        f"{len(pages)} real pages x {args.rounds} rounds ({wanted}), "
        "extract_article CPU ms per page"
    )
    print(f"  before ({label}) {old:7.2f}")
    print(f"  now (this checkout) {new:7.2f}")
    print(f"  now / before {new / old:.3f}; outputs identical: {equal}")
    return 0 if equal else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
