"""Benchmark: the newsroom inbox on a big archive (#20), SQLite and PostgreSQL.

Run: ``.venv/bin/python bench/bench_web.py [--small N] [--large N] [--rounds N]
[--databases sqlite,postgresql]``.
Fills two databases (through the real migrations and ``record_mentions``, fixed seed) with
``--small`` and ``--large`` finds and times the inbox's first page, a filtered page, a deep
page (by cursor) and two searches (a word; a phrase with a prefix) on both, the two sizes
interleaved round by round so the shared machine's load hits both alike: p50 and p95 over
``--rounds``, and the growth ratio (goal ≤ 1.5×). The corpus has a 36-word vocabulary, so
every searched word is in most documents: the worst case for a full-text index, whose cost
grows with the number of matching documents. PostgreSQL
is the local server (``MEDIAMON_TEST_POSTGRES_URL``), in a throwaway schema; skipped when
unreachable. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.storage.db import make_engine, session_scope
from crawler.storage.inbox import InboxFilter, inbox_page
from crawler.storage.mentions import record_mentions
from crawler.storage.migrate import upgrade

SEED = "mediamon-bench-web-1"
ORG = "Orbis Union"
START = datetime(2026, 1, 1, tzinfo=UTC)
POSTGRES = os.environ.get(
    "MEDIAMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_WORDS = """the union said open standards network data public policy report members digital
access agreement minister research infrastructure governance internet budget river harbour
bridge council election vote market energy climate water school hospital court"""
WORDS = _WORDS.split()
KINDS = [MentionKind.PRESS] * 6 + [MentionKind.BLOG, MentionKind.PINGBACK, MentionKind.LINK]
BATCH = 2000


def _mentions(rnd: Random, first: int, count: int, total: int) -> list[Mention]:
    out = []
    for n in range(first, first + count):
        site = f"site{rnd.randrange(500)}.example"
        words = [rnd.choice(WORDS) for _ in range(60)]
        title = " ".join(rnd.choice(WORDS) for _ in range(7)).capitalize()
        out.append(
            Mention(
                org=ORG,
                document=Document(
                    canonical_url=f"https://{site}/a/{n}/",
                    url=f"https://{site}/a/{n}/",
                    title=title,
                    site=site,
                    language=rnd.choice(["en", "en", "de", "fr"]),
                    text=" ".join(words),
                ),
                kind=rnd.choice(KINDS),
                found_via=FoundVia.FEED,
                queries=(rnd.choice(["org", "ceo", "product"]),),
                snippet=" ".join(words[:30]),
            )
        )
    return out


def fill(engine: Engine, rnd: Random, have: int, want: int, total: int) -> None:
    """Store finds ``have``..``want``, one a minute apart over the year (newest last)."""
    step = timedelta(days=365) / total
    for first in range(have, want, BATCH):
        count = min(BATCH, want - first)
        batch = _mentions(rnd, first, count, total)
        with session_scope(engine) as s:
            record_mentions(s, batch, START + step * first)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def cases(engine: Engine) -> dict[str, Callable[[], object]]:
    """The page queries timed, each a callable doing one page as the inbox does."""
    orgs = (ORG,)
    with session_scope(engine) as s:
        deep = None
        for _ in range(20):  # walk 20 pages down for a deep cursor
            deep = inbox_page(s, InboxFilter(orgs=orgs), after=deep, limit=50).next_cursor
    out: dict[str, Callable[[], object]] = {}

    def case(name: str, f: InboxFilter, after: tuple[datetime, int] | None = None) -> None:
        def run() -> object:
            with session_scope(engine) as s:
                return inbox_page(s, f, after=after, limit=50)

        out[name] = run

    case("inbox first page", InboxFilter(orgs=orgs))
    case("filtered (kind+lang+state)", InboxFilter(orgs=orgs, kinds=("press",),
         language="de", states=("new",)))  # fmt: skip
    case("page 21 (cursor)", InboxFilter(orgs=orgs), deep)
    case("search: harbour", InboxFilter(orgs=orgs, search="harbour"))
    case('search: "river bridge" cou*', InboxFilter(orgs=orgs, search='"river bridge" cou*'))
    return out


def measure(
    small: Engine, large: Engine, rounds: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Wall milliseconds of each query on both sizes, the two interleaved round by round
    (so a burst of load on the shared machine hits both alike and the ratio stays fair)."""
    at_small, at_large = cases(small), cases(large)
    out: dict[str, tuple[list[float], list[float]]] = {}
    for name in at_small:
        at_small[name]()  # warm
        at_large[name]()
        pair: tuple[list[float], list[float]] = ([], [])
        for _ in range(rounds):
            for run, samples in ((at_small[name], pair[0]), (at_large[name], pair[1])):
                started = time.perf_counter()
                run()
                samples.append((time.perf_counter() - started) * 1000)
        out[name] = pair
    return out


@contextmanager
def sqlite_db(name: str) -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / name}.db")
        upgrade(engine)
        yield engine
        engine.dispose()


@contextmanager
def postgres_db(name: str) -> Iterator[Engine | None]:
    schema = f"bench_{name}_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(POSTGRES, connect_args={"connect_timeout": 3})
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # unreachable: the SQLite figures still count
        print(f"PostgreSQL skipped: {str(exc).splitlines()[0]}")
        yield None
        return
    sep = "&" if "?" in POSTGRES else "?"
    engine = make_engine(f"{POSTGRES}{sep}options=-csearch_path%3D{schema}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def bench(
    name: str, small_db: Engine, large_db: Engine, sizes: tuple[int, int], rounds: int
) -> None:
    small, large = sizes
    started = time.perf_counter()
    for engine, count in ((small_db, small), (large_db, large)):
        fill(engine, Random(SEED), 0, count, count)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    figures = measure(small_db, large_db, rounds)
    print(
        f"\n{name}: {small:,} and {large:,} finds (filled in {time.perf_counter() - started:.0f} s)"
    )
    print(f"| query | p50 {small:,} | p95 {small:,} | p50 {large:,} | p95 {large:,} | growth p50 |")
    print("|---|---|---|---|---|---|")
    for query, (at_small, at_large) in figures.items():
        p50_small, p95_small = _percentiles(at_small)
        p50_large, p95_large = _percentiles(at_large)
        ratio = p50_large / p50_small if p50_small else float("nan")
        print(
            f"| {query} | {p50_small:.1f} ms | {p95_small:.1f} ms | {p50_large:.1f} ms "
            f"| {p95_large:.1f} ms | {ratio:.2f}× |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated")
    args = parser.parse_args()
    sizes = (args.small, args.large)
    wanted = set(args.databases.split(","))
    if "sqlite" in wanted:
        with sqlite_db("small") as small, sqlite_db("large") as large:
            bench("SQLite", small, large, sizes, args.rounds)
    if "postgresql" not in wanted:
        return
    with postgres_db("small") as pg_small, postgres_db("large") as pg_large:
        if pg_small is not None and pg_large is not None:
            bench("PostgreSQL", pg_small, pg_large, sizes, args.rounds)


if __name__ == "__main__":
    main()
