"""Feed polling benchmark: what conditional GET saves, and what our parse step costs.

1. Poll the large sample world's feeds (5,000 benchmark feeds plus the story sites) once on
   day 1, then advance the world to day 2 (10 % of the benchmark feeds gain an article).
2. From two copies of that database, poll everything again: once with conditional GET (stored
   validators and body hash), once with it switched off. Both run in a child process
   (``scheduler.runner.run_in_child``); CPU is the children's user+system time
   (``RUSAGE_CHILDREN``), bytes are
   what reached the downloader (headers and bodies, as sent), per the per-host metrics.
3. Parse throughput: our ``parse_feed`` (feedparser without sanitising, plus entry rules) next
   to plain ``feedparser.parse(bytes)`` on the same fetched feed bodies.

Article pages are not fetched (``fetch_articles=False``): this measures feed polling. Prints
figures and ratios; asserts nothing.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.config import load_config
from crawler.feeds.parse import parse_feed
from crawler.feeds.report import PollReport
from crawler.storage.db import make_engine
from crawler.storage.migrate import upgrade
from sampleweb.server.router import SampleWeb
from sampleweb.truth.config_file import config_toml
from scheduler.runner import run_in_child

CRAWL_EXTRA = """download_delay = 0
concurrent_per_host = 16
timeout = 30
max_feed_items = 1000
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_poll(config: Path, db_url: str, **kwargs: object) -> tuple[PollReport, float, float]:
    cpu, wall = children_cpu(), time.perf_counter()
    report = run_in_child(
        "poll",
        load_config(config),
        db_url,
        time_limit=1800,
        all_sources=True,
        fetch_articles=False,
        **kwargs,
    )
    if report.exit_status not in (0, 1):  # 1: done, some feeds failing (README, "Exit codes")
        raise SystemExit(f"poll failed: {report.error}")
    return report, time.perf_counter() - wall, children_cpu() - cpu


def feed_urls(config_text: str) -> list[str]:
    return [
        line.split("=", 1)[1].strip().strip('"')
        for line in config_text.splitlines()
        if line.startswith("url = ") and "/feeds/" in line
    ]


def fetch_bodies(urls: list[str], port: int) -> list[tuple[str, bytes, dict[str, str]]]:
    out = []
    for url in urls:
        host, path = url.split("//", 1)[1].split("/", 1)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/{path}", headers={"Host": host})
        with urllib.request.urlopen(request, timeout=30) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            out.append((url, response.read(), headers))
    return out


def parse_rate(bodies: list[tuple[str, bytes, dict[str, str]]], ours: bool) -> float:
    now = datetime.now(UTC)
    started = time.process_time()
    rounds = 0
    while rounds < 1 or time.process_time() - started < 3:
        for url, body, headers in bodies:
            if ours:
                parse_feed(body, url=url, headers=headers, now=now, max_items=1000)
            else:
                feedparser.parse(body)
        rounds += 1
    return rounds * len(bodies) / (time.process_time() - started)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench_feeds_"))
    web = SampleWeb(scale="large", day=1)
    port = web.start(0)
    try:
        text = config_toml(web.world, port).replace("[crawl]\n", "[crawl]\n" + CRAWL_EXTRA, 1)
        config = work / "mediamon.toml"
        config.write_text(text, encoding="utf-8")
        first_db = work / "first.db"
        engine = make_engine(f"sqlite:///{first_db}")
        upgrade(engine)
        engine.dispose()

        report, wall, cpu = timed_poll(config, f"sqlite:///{first_db}")
        print(
            f"sources: {report.sources}; first pass (day 1): {report.fetched} fetched, "
            f"{report.new_entries} entries, {wall:.1f} s wall, {cpu:.1f} s CPU, "
            f"{report.bytes / 1e6:.1f} MB, {report.sources / wall:.0f} feeds/s"
        )

        web.set_day(2)
        results = {}
        for name, conditional in (("conditional", True), ("unconditional", False)):
            db = work / f"{name}.db"
            shutil.copy(first_db, db)
            report, wall, cpu = timed_poll(config, f"sqlite:///{db}", conditional=conditional)
            results[name] = (report, wall, cpu)
            print(
                f"second pass, {name}: {report.sources / wall:.0f} feeds/s, {wall:.1f} s wall, "
                f"{cpu:.1f} s CPU, {report.bytes / 1e6:.2f} MB; {report.fetched} fetched, "
                f"{report.not_modified} not modified, {report.unchanged} unchanged, "
                f"{report.new_entries} new entries, {report.errors} errors"
            )
        (c, cw, cc), (u, uw, uc) = results["conditional"], results["unconditional"]
        changed = c.fetched / max(1, c.sources)
        print(
            f"ratios (unconditional / conditional): CPU {uc / cc:.1f}x, "
            f"bytes {u.bytes / max(1, c.bytes):.1f}x, wall {uw / cw:.1f}x "
            f"(with {changed:.0%} of feeds changed, no ratio can exceed {1 / changed:.1f}x)"
        )

        urls = feed_urls(text)[:1000]
        bodies = fetch_bodies(urls, port)
        size = sum(len(b) for _, b, _ in bodies) / len(bodies)
        ours = plain = 0.0
        for _ in range(3):  # interleaved rounds on a shared machine: best of three each
            ours = max(ours, parse_rate(bodies, True))
            plain = max(plain, parse_rate(bodies, False))
        print(
            f"parse ({len(bodies)} benchmark feeds, {size / 1024:.1f} KB mean): parse_feed "
            f"{ours:.0f} feeds/s, feedparser.parse(bytes) {plain:.0f} feeds/s, "
            f"ratio {ours / plain:.2f}x"
        )
    finally:
        web.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
