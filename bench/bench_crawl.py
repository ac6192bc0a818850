"""Crawl benchmark: end-to-end press crawling against fetching and extraction alone, and memory.

The large sample world's 50 benchmark papers (400 articles each, listed in their sitemaps)
are crawled as sites (``run_site_crawl``, each run in a child process, as the scheduler runs
them), with the organisation's 4 queries plus 996 generated ones (1,000 queries, the shapes of
``bench_matching``):

(a) pages per second, measured in one run of this script:
    * end to end — fetch, extract (trafilatura ``fast``), match 1,000 queries, store (SQLite);
    * the same crawl fetching only (no extraction, matching or storing);
    * extraction alone (``extract_article``), in this process, over pages of the same crawl;
    and the ratio end-to-end / extraction alone (target: >= 0.5, performance-ceilings §7);
(c) peak resident memory of the crawling child for 2,000 / 5,000 / 20,000 pages (40 / 100 /
    400 articles per site; the child's own VmHWM, see ``CrawlReport.max_rss_mb``: a spawned
    child's ``ru_maxrss`` also counts the parent's memory it shared before exec): it should
    stay flat, since no per-page state is kept.

Pages per second are pages over the crawl's own wall time (``CrawlReport.seconds``, spider
open to close, sitemaps and final writes included; process start-up excluded). The sample web
serves from a thread of this process, on the other core. Prints figures; asserts nothing.
``--pages N`` runs only the N-page end-to-end crawl (quick look).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_matching import SEED, make_queries, organisations, people
from crawler.config import load_config
from crawler.extract import extract_article
from crawler.press.report import CrawlReport
from crawler.storage.db import make_engine
from crawler.storage.migrate import upgrade
from sampleweb.server.router import SampleWeb
from sampleweb.world import bulk
from sampleweb.world.org_posts import QUERIES
from scheduler.runner import run_in_child

QUERY_COUNT = 1000
PER_SITE = {2_000: 40, 5_000: 100, 20_000: 400}
EXTRACT_SAMPLE = 1000


def toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def bench_config(web: SampleWeb, path: Path, per_site: int) -> list[str]:
    """A config with 1,000 queries and the 50 papers as site sources; returns their names."""
    org = web.world.org
    rng = Random(SEED)
    extra = make_queries(QUERY_COUNT - len(QUERIES), rng, people(rng)[3000:], organisations(rng))
    lines = [
        "[organisation]",
        f"name = {toml(org.name)}",
        f"timezone = {toml(org.timezone)}",
        "[[organisation.sites]]",
        f"url = {toml(web.url(org.host))}",
        f"feed = {toml(web.url(org.host, '/feed/'))}",
    ]
    for name, query in [*QUERIES, *((f"bench-{i:04d}", q) for i, q in enumerate(extra))]:
        lines += ["[[queries]]", f"name = {toml(name)}", f"query = {toml(query)}"]
    names = []
    for site in bulk.bulk_sites(bulk.SITES):
        names.append(site.site.name)
        lines += [
            "[[sources]]",
            f"name = {toml(site.site.name)}",
            f"url = {toml(web.url(site.site.host))}",
            'kind = "press"',
            "crawl_depth = 0",
            f"max_pages = {per_site}",
        ]
    resolve = ", ".join(f'{toml(h)} = "127.0.0.1"' for h in web.hosts())
    lines += [
        "[crawl]",
        'user_agent = "mediamon-bench (+https://orbitalregistry.test/bot)"',
        'allow_hosts = ["127.0.0.1"]',
        "download_delay = 0",
        "concurrent_per_host = 16",
        "timeout = 30",
        "max_feed_items = 1000",
        f"resolve = {{ {resolve} }}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return names


def crawl(web: SampleWeb, work: Path, per_site: int, *, fetch_only: bool = False) -> CrawlReport:
    config = work / f"bench-{per_site}.toml"
    names = bench_config(web, config, per_site)
    db = work / f"crawl-{per_site}-{'fetch' if fetch_only else 'e2e'}.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    report = run_in_child(
        "crawl",
        load_config(config),
        f"sqlite:///{db}",
        time_limit=1800,
        source_names=names,
        fetch_only=fetch_only,
    )
    if report.exit_status:
        raise SystemExit(f"crawl failed: {report.error}")
    return report


def article_bodies(web: SampleWeb, count: int) -> list[tuple[str, bytes]]:
    """``count`` article pages of the crawl, spread over the sites, as served."""
    out = []
    sites = bulk.bulk_sites(bulk.SITES)
    for i in range(count):
        site = sites[i % len(sites)]
        article = bulk.teaser(web.world.seed, site.index, (i * 7) % bulk.ARTICLES)
        request = urllib.request.Request(
            f"http://127.0.0.1:{web.port}{article.path}", headers={"Host": site.site.host}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            out.append((web.url(site.site.host, article.path), response.read()))
    return out


def extraction_rate(bodies: list[tuple[str, bytes]], rounds: int = 3) -> list[float]:
    """Pages/s of ``extract_article`` alone (CPU time of this process), per round."""
    hosts = frozenset({"orbitalregistry.test"})
    rates = []
    for _ in range(rounds):
        started = time.process_time()
        for url, body in bodies:
            extract_article(body, url, "text/html; charset=utf-8", link_hosts=hosts)
        rates.append(len(bodies) / (time.process_time() - started))
    return rates


def line(label: str, report: CrawlReport) -> str:
    rate = report.articles / report.seconds if report.articles else report.pages / report.seconds
    return (
        f"{label}: {report.pages:,} pages in {report.seconds:.1f} s = {rate:.0f} pages/s; "
        f"{report.mentions} mentions, {report.stories} stories joined, "
        f"{report.errors} errors; peak RSS {report.max_rss_mb:.0f} MiB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--pages", type=int, choices=sorted(PER_SITE), default=None)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench_crawl_"))
    web = SampleWeb(scale="large", day=1)
    web.start(0)
    try:
        if args.pages:
            print(line(f"end to end, {args.pages:,} pages", crawl(web, work, PER_SITE[args.pages])))
            return 0
        bodies = article_bodies(web, EXTRACT_SAMPLE)
        size = statistics.mean(len(b) for _, b in bodies)
        extract = extraction_rate(bodies)
        print(
            f"extraction alone ({len(bodies)} article pages, {size / 1024:.1f} KiB mean, "
            f"CPU time): {statistics.median(extract):.0f} pages/s "
            f"[{min(extract):.0f}-{max(extract):.0f}], 3 rounds"
        )
        fetched = crawl(web, work, PER_SITE[20_000], fetch_only=True)
        print(line("fetch only, 20,000 pages", fetched))
        series = {}
        for pages, per_site in PER_SITE.items():
            series[pages] = crawl(web, work, per_site)
            print(line(f"end to end, {pages:,} pages", series[pages]))
        e2e = series[20_000]
        e2e_rate = e2e.articles / e2e.seconds
        fetch_rate = fetched.pages / fetched.seconds
        extract_rate = statistics.median(extract)
        print(
            f"ratios: end to end / extraction alone = {e2e_rate / extract_rate:.2f} "
            f"(target >= 0.5); end to end / fetch only = {e2e_rate / fetch_rate:.2f}; "
            f"model 1/(1/fetch + 1/extract) = {1 / (1 / fetch_rate + 1 / extract_rate):.0f} "
            "pages/s"
        )
        rss = ", ".join(f"{p:,}: {r.max_rss_mb:.0f} MiB" for p, r in series.items())
        print(f"peak RSS of the crawling child by pages crawled: {rss}")
    finally:
        web.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
