"""Extraction quality on real pages: mediamon against bare ``trafilatura.extract``, same run.

The 130 readability test pages (``../shared/corpus/readability-pages``, see its README) hold
each page as served and the main content a careful extractor should return. For every page
both extractors get the same bytes (mediamon twice: as a page that may link to us, links
kept, and as one naming none of our hosts, text only); their text is compared with
``expected.html`` as bags of lower-cased word tokens (precision, recall, F1 per page, then the
mean over all pages: hard pages are reported, not dropped). Titles, bylines and publication
dates are compared with ``expected-metadata.json`` where it has them. Prints figures; asserts
nothing.

``--pages`` prints the per-page table; ``--worst N`` the N pages where mediamon's recall trails
trafilatura's most.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura
from lxml import html as lxml_html

from bench.corpus import readability_pages
from crawler.extract import extract_article

_WORD = re.compile(r"\w+", re.UNICODE)
_BLOCKS = "p div li h1 h2 h3 h4 h5 h6 blockquote pre tr td th br section article figcaption"
PAGE_URL = "http://corpus.test/article"


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(unicodedata.normalize("NFC", text).lower()))


def expected_text(path: Path) -> str:
    """The words of ``expected.html`` (block elements kept apart, so words never merge)."""
    root = lxml_html.fromstring(path.read_bytes().decode("utf-8", "replace") or "<div></div>")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.tail = " " + (element.tail or "")
    return str(root.text_content())


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def score(got: str, want: Counter[str]) -> Score:
    found = words(got)
    common = sum((found & want).values())
    precision = common / sum(found.values()) if found else (1.0 if not want else 0.0)
    recall = common / sum(want.values()) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def norm(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    return " ".join(_WORD.findall(text))


def same_title(got: str, want: str) -> bool:
    """Equal, or one is the other with the site name cut (``Title | Site``)."""
    got, want = norm(got), norm(want)
    return bool(got) and (got == want or got in want or want in got)


def same_byline(got: str, want: str) -> bool:
    got, want = norm(got), norm(want)
    return bool(got) and (got in want or want in got)


def same_date(got: str, want: str) -> bool:
    return bool(got) and got[:10] == str(want)[:10]


@dataclass
class Row:
    name: str
    ours: Score
    bare: Score
    text_only: Score
    """mediamon on a page naming none of the hosts whose links matter (no links kept)."""
    meta: dict[str, tuple[bool, bool] | None]


def run_page(folder: Path) -> Row:
    body = (folder / "source.html").read_bytes()
    want = words(expected_text(folder / "expected.html"))
    ours = extract_article(body, PAGE_URL)
    bare_text = trafilatura.extract(body) or ""
    bare_meta = trafilatura.extract_metadata(body)
    meta_path = folder / "expected-metadata.json"
    expected: dict[str, Any] = {}
    if meta_path.is_file():
        import json

        expected = json.loads(meta_path.read_text(encoding="utf-8"))
    meta: dict[str, tuple[bool, bool] | None] = {}
    ours_date = ours.date.isoformat() if ours.date else ""
    bare_get = (lambda k: str(getattr(bare_meta, k, "") or "")) if bare_meta else (lambda k: "")
    for key, compare, mine, theirs in (
        ("title", same_title, ours.title, bare_get("title")),
        ("byline", same_byline, ours.author, bare_get("author")),
        ("date", same_date, ours_date, bare_get("date")),
    ):
        wanted = expected.get({"date": "publishedTime"}.get(key, key))
        meta[key] = (compare(mine, wanted), compare(theirs, wanted)) if wanted else None
    text_only = extract_article(body, PAGE_URL, link_hosts=()).text
    return Row(
        folder.name, score(ours.text, want), score(bare_text, want), score(text_only, want), meta
    )


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="print every page's scores")
    parser.add_argument("--worst", type=int, default=10, help="pages where we trail most")
    args = parser.parse_args(argv)
    folders = readability_pages()
    if not folders:
        print("skipped: no corpus (../shared/corpus/readability-pages or $MEDIAMON_CORPUS)")
        return 0
    rows = [run_page(folder) for folder in folders]
    if args.pages:
        print(f"{'page':48} {'ours P/R/F1':>18} {'trafilatura P/R/F1':>20}")
        for r in rows:
            o, b = r.ours, r.bare
            print(
                f"{r.name[:48]:48} {o.precision:5.2f} {o.recall:5.2f} {o.f1:5.2f}"
                f"   {b.precision:5.2f} {b.recall:5.2f} {b.f1:5.2f}"
            )
    print(f"readability pages: {len(rows)}")
    print(f"{'':24} {'precision':>9} {'recall':>7} {'F1':>6}")
    for label, pick in (
        ("mediamon", lambda r: r.ours),
        ("mediamon, no links kept", lambda r: r.text_only),
        ("bare trafilatura", lambda r: r.bare),
    ):
        scores = [pick(r) for r in rows]
        print(
            f"{label:24} {mean([s.precision for s in scores]):9.4f}"
            f" {mean([s.recall for s in scores]):7.4f} {mean([s.f1 for s in scores]):6.4f}"
        )
    ours_f1 = mean([r.ours.f1 for r in rows])
    bare_f1 = mean([r.bare.f1 for r in rows])
    ours_r = mean([r.ours.recall for r in rows])
    bare_r = mean([r.bare.recall for r in rows])
    print(f"ratio mediamon / trafilatura: recall {ours_r / bare_r:.4f}, F1 {ours_f1 / bare_f1:.4f}")
    for key in ("title", "byline", "date"):
        judged = [r.meta[key] for r in rows if r.meta.get(key) is not None]
        mine = sum(1 for j in judged if j and j[0])
        theirs = sum(1 for j in judged if j and j[1])
        print(f"{key:7} right: mediamon {mine}/{len(judged)}, trafilatura {theirs}/{len(judged)}")
    worst = sorted(rows, key=lambda r: r.ours.recall - r.bare.recall)[: args.worst]
    if worst:
        print("pages where mediamon's recall trails trafilatura's most:")
        for r in worst:
            print(f"  {r.name:48} recall {r.ours.recall:.2f} vs {r.bare.recall:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
