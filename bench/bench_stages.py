"""CPU per stage of ``extract_article`` on the real pages, beside bare ``trafilatura.extract``.

Where the time of extracting a page goes, measured in one process over the 130 readability
pages (``../shared/corpus/readability-pages`` or ``$MEDIAMON_CORPUS``): each stage of
``crawler.extract.extract_article`` run on its own, in order, on the same tree, and bare
``trafilatura.extract`` on the same bytes as the anchor. Stages that were made cheaper are
timed beside what they replaced (trafilatura's own byline search; language detection over
3,000 characters), in the same run, so that a noisy shared machine still compares them
fairly. "full path" is trafilatura's full extraction, run only on the pages where the fast
one kept too little (its figure is averaged over all pages). Prints figures; asserts
nothing. ``--rounds N`` repeats and prints the median of each stage.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura
from htmldate import find_date
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
)

from bench.corpus import readability_sources
from crawler import extract
from crawler.press import language
from crawler.press.byline import find_byline
from crawler.press.htmltext import decode_html, parse_html, prune_boilerplate


def one_round(pages: list[tuple[str, bytes]]) -> dict[str, float]:
    """CPU seconds of each stage, summed over ``pages``."""
    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        result = function(*args, **kwargs)
        spent[name] += time.process_time() - started
        return result

    identifier = language._identifier()
    for name, body in pages:
        url = f"http://127.0.0.1/{name}"
        timed("bare trafilatura.extract", trafilatura.extract, body)
        decoded = timed("decode", decode_html, body, "text/html")
        root = timed("parse", parse_html, decoded)
        timed("is it an article", extract.page_is_article, root)
        timed("boilerplate pruning", prune_boilerplate, root)
        text, _ = timed("trafilatura fast path", extract._trafilatura, root, url, extract._FAST)
        measured = timed("kept too little?", extract.PageText.of, root)
        if timed("kept too little?", extract._kept_too_little, text, measured):
            timed("trafilatura full path (where needed)", extract._trafilatura, root, url, {})
        meta = timed("meta tags + JSON-LD", examine_meta, root)
        timed("meta tags + JSON-LD", extract_meta_json, root, meta)
        timed("title", extract_title, root)
        timed("date (htmldate)", find_date, root, **{**extract.DATE_PARAMS, "url": url})
        timed("site name", extract_sitename, root)
        timed("byline, trafilatura's (before)", extract_author, root)
        timed("byline, ours (now)", find_byline, copy.deepcopy(root))
        sample = text[:3000]
        if len(sample.split()) >= language.MIN_WORDS:
            timed("language, 3,000 characters (before)", identifier.classify, sample)
        timed("language, 1,000 characters (now)", language.detect_language, text)
    return spent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=1, help="repeat; print the medians")
    args = parser.parse_args(argv)
    pages = readability_sources()
    if not pages:
        return 0
    one_round(pages[:5])  # warm up: imports, the language model
    rounds = [one_round(pages) for _ in range(args.rounds)]
    print(f"{len(pages)} real pages, CPU ms per page (median of {args.rounds} round(s))")
    for stage in rounds[0]:
        median = statistics.median(r[stage] for r in rounds)
        print(f"  {stage:40s} {median / len(pages) * 1000:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
