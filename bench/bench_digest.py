"""Benchmark: one digest day with 10,000 mentions — query, view model, templates, CSS inlining.

Run: ``.venv/bin/python bench/bench_digest.py [--mentions N] [--history N]``.
Prints figures, asserts nothing. The data is built in a temporary SQLite database through the
real migrations, ``sync_sources`` and ``record_mentions`` (fixed seed), with 13 days of history
for the chart and the averages. Two renders are timed: the email as sent (the default
``Limits``: counts and chart cover all 10,000, the lists stop at 100 stories / 200 linkbacks)
and an uncapped render of every item (what an archive page of the whole day would cost).
Compare the ratios within one run; absolute figures depend on the machine.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import TypeVar

import psutil

from crawler.config import Config, parse_config
from crawler.domain import Document, FoundVia, Hit, Mention, MentionKind
from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import record_mentions
from crawler.storage.migrate import upgrade
from crawler.storage.models import DocumentRow, StoryRow
from crawler.storage.sources import sync_sources
from reports.gather import load_digest_input
from reports.model import DEFAULT_LIMITS, DigestView, Limits
from reports.render import HTML_TEMPLATE, environment, inline_css, render_text
from reports.send import own_sites
from reports.view import build_digest

SEED = "mediamon-bench-digest-1"
ORG = "Orbis Union"
TZ = "Europe/Zurich"
DAY = date(2026, 11, 2)
NOW = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
UNCAPPED = Limits(stories=10**9, linkbacks=10**9, outlets=10**9, late=10**9)
KINDS = [MentionKind.PRESS] * 55 + [MentionKind.BLOG] * 10
KINDS += [MentionKind.PINGBACK] * 10 + [MentionKind.REBLOG] * 5 + [MentionKind.WEBMENTION] * 5
KINDS += [MentionKind.TRACKBACK] * 3 + [MentionKind.LINK] * 7 + [MentionKind.COMMENT] * 5
_WORDS = """the union said open standards network data public policy report members digital
access agreement minister research infrastructure governance internet budget"""
WORDS = _WORDS.split()
T = TypeVar("T")


def config(n_sources: int) -> Config:
    data = {
        "organisation": {
            "name": ORG,
            "timezone": TZ,
            "sites": [{"url": "https://blog.orbis.example/"}],
        },
        "sources": [
            {"name": f"Outlet {i}", "url": f"https://outlet{i}.example/rss", "weight": i % 5 + 1}
            for i in range(n_sources)
        ],
    }
    return parse_config(data, env={})


def sentence(rnd: Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n))


def mentions_for(rnd: Random, day: date, n: int, n_sources: int, tag: str) -> list[Mention]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=1)
    out = []
    for i in range(n):
        kind = rnd.choice(KINDS)
        site = f"site{rnd.randrange(n // 4 + 1)}.example"
        late = rnd.random() < 0.05
        published = start - timedelta(days=rnd.randint(3, 30)) if late else start
        snippet = f"{sentence(rnd, 8)} Orbis Union {sentence(rnd, 14)}."
        at = snippet.index("Orbis Union")
        linkback = kind.is_linkback
        out.append(
            Mention(
                org=ORG,
                document=Document(
                    canonical_url=f"https://{site}/{tag}/{i}",
                    url=f"https://{site}/{tag}/{i}",
                    title=sentence(rnd, rnd.randint(4, 14)).capitalize(),
                    site=site,
                    published_at=published + timedelta(minutes=rnd.randrange(1440)),
                ),
                kind=kind,
                found_via=FoundVia.COMMENTS if linkback else FoundVia.FEED,
                target=f"https://blog.orbis.example/p/{rnd.randrange(50)}/" if linkback else "",
                queries=("org",),
                terms=('"Orbis Union"',),
                snippet="" if linkback else snippet,
                hits=() if linkback else (Hit("Orbis Union", at, at + 11),),
                context=sentence(rnd, 20) if linkback else "",
                source_name="" if linkback else f"Outlet {rnd.randrange(n_sources)}",
            )
        )
    return out


def build_database(url: str, n: int, history: int, n_sources: int) -> Config:
    rnd = Random(SEED)
    cfg = config(n_sources)
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        sync_sources(s, cfg, NOW - timedelta(days=60))
    for back in range(13, 0, -1):
        day = DAY - timedelta(days=back)
        batch = mentions_for(rnd, day, history, n_sources, f"h{back}")
        with session_scope(engine) as s:
            record_mentions(s, batch, datetime(day.year, day.month, day.day, 11, tzinfo=UTC))
    today = mentions_for(rnd, DAY, n, n_sources, "d")
    with session_scope(engine) as s:
        record_mentions(s, today, datetime(2026, 11, 2, 10, tzinfo=UTC))
    with session_scope(engine) as s:  # wire stories: groups of up to 5 press documents
        ids = [d for (d,) in s.query(DocumentRow.id).filter(DocumentRow.url.like("%/d/%"))]
        for k in range(0, len(ids) // 3, 5):
            story = StoryRow(key=f"s{k}", original_document_id=ids[k], created_at=NOW)
            s.add(story)
            s.flush()
            s.query(DocumentRow).filter(DocumentRow.id.in_(ids[k : k + 5])).update(
                {"story_id": story.id}, synchronize_session=False
            )
    engine.dispose()
    return cfg


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def render(label: str, view_fn: Callable[[], DigestView]) -> float:
    env = environment()
    view, t_view = timed(view_fn)
    raw, t_html = timed(lambda: env.get_template(HTML_TEMPLATE).render(view=view))
    html, t_inline = timed(lambda: inline_css(raw))
    text, t_text = timed(lambda: render_text(view))
    total = t_view + t_html + t_inline + t_text
    items = len(view.press) + sum(len(g.items) for p in view.linkbacks for g in p.groups)
    print(
        f"{label:<9} build {t_view * 1000:7.1f} ms | html {t_html * 1000:7.1f} ms | "
        f"inline {t_inline * 1000:7.1f} ms | text {t_text * 1000:7.1f} ms | "
        f"total {total:6.3f} s | {items:5d} items listed | html {len(html) / 1024:7.0f} KiB, "
        f"text {len(text) / 1024:6.0f} KiB | peak RSS {peak_mb():6.0f} MiB"
    )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=500, help="mentions per earlier day")
    parser.add_argument("--sources", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        cfg, t_seed = timed(lambda: build_database(url, args.mentions, args.history, args.sources))
        print(
            f"seeded {args.mentions} mentions on the day + {13 * args.history} before "
            f"in {t_seed:.1f} s (SQLite, record_mentions)"
        )
        engine = make_engine(url)
        environment()  # template parsing is a one-off cost; not part of a render
        base = rss_mb()
        with session_scope(engine) as s:
            data, t_query = timed(lambda: load_digest_input(s, ORG, TZ, DAY, NOW, own_sites(cfg)))
        print(
            f"query     {t_query * 1000:7.1f} ms for {len(data.mentions)} mentions "
            f"(+14 daily counts, stories, outlets, health) | RSS +{rss_mb() - base:.0f} MiB"
        )
        email = render("email", lambda: build_digest(data, DEFAULT_LIMITS))
        full = render("uncapped", lambda: build_digest(data, UNCAPPED))
        print(
            f"query + email render: {t_query + email:.3f} s; "
            f"uncapped / email render time: {full / email:.1f}x"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
