"""``extract_article`` as it was and as it is, interleaved page by page in one process.

The shared machine's load moves a whole-run figure by 15-40 % between two runs (BENCHMARKS.md
#14), far more than a saving of a few percent. Here both variants extract every one of the
130 readability pages (``../shared/corpus/readability-pages`` or ``$MEDIAMON_CORPUS``) in
turn, the order swapped on every page, so load hits them alike; each variant's CPU-seconds
are summed, and the outputs are compared (they must be identical: these savings change no
result). "Before" restores what #14's follow-up replaced, in this process only:

* lxml.html's Python element class lookup on the parser (instead of lxml's C default);
* boilerplate candidates as every marked element asked :func:`is_boilerplate` in turn.

Prints the CPU ms per page of each variant, the ratio and whether every output is equal.
``--rounds N`` repeats the whole pass (default 3).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree
from lxml import html as lxml_html

from bench.corpus import readability_sources
from crawler import extract
from crawler.press import htmltext

_NEW_PARSER = htmltext._parser
_NEW_CANDIDATES = htmltext._box_candidates
_MARKED = etree.XPath("//*[@class or @id]")


def _old_parser() -> lxml_html.HTMLParser:
    parser = _NEW_PARSER()
    parser.set_element_class_lookup(lxml_html.HtmlElementClassLookup())
    return parser


def _old_candidates(root: Any) -> list[Any]:
    return [
        e for e in _MARKED(root) if e.tag not in htmltext._CONTAINERS and htmltext.is_boilerplate(e)
    ]


def _variant(old: bool) -> None:
    htmltext._parser = _old_parser if old else _NEW_PARSER  # type: ignore[assignment]
    htmltext._box_candidates = _old_candidates if old else _NEW_CANDIDATES  # type: ignore[assignment]


def one_round(pages: list[tuple[str, bytes]], spent: dict[bool, float]) -> bool:
    """Extract every page with both variants; whether all outputs were equal."""
    equal = True
    for index, (name, body) in enumerate(pages):
        url = f"http://127.0.0.1/{name}"
        out: dict[bool, Any] = {}
        for old in (True, False) if index % 2 else (False, True):
            _variant(old)
            started = time.process_time()
            out[old] = extract.extract_article(body, url)
            spent[old] += time.process_time() - started
        equal = equal and out[True] == out[False]
    _variant(False)
    return equal


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    pages = readability_sources()
    if not pages:
        return 0
    one_round(pages[:4], {True: 0.0, False: 0.0})  # warm up: imports, the language model
    spent = {True: 0.0, False: 0.0}
    results = [one_round(pages, spent) for _ in range(args.rounds)]  # every round runs
    equal = all(results)
    count = len(pages) * args.rounds
    before, after = spent[True] / count * 1000, spent[False] / count * 1000
    print(f"{len(pages)} real pages x {args.rounds} rounds, extract_article CPU ms per page")
    print(f"  before (Python class lookup, candidates element by element) {before:7.2f}")
    print(f"  now                                                          {after:7.2f}")
    print(f"  now / before {after / before:.3f}; outputs identical: {equal}")
    return 0 if equal else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
