"""End to end on real pages: ``mediamon crawl`` against bare ``trafilatura.extract``, same run.

The 130 readability pages (``../shared/corpus/readability-pages``) are served by a Python HTTP
server in a separate process (nginx's role in performance-ceilings §4: the server's CPU is not
the crawler's), each under ``--repeat`` distinct URLs (``?r=N``: 130 x 7 = 910 requests).
Then, in one run of this script:

* ``mediamon crawl --depth 0 --json`` over all those URLs, as a user runs it: fetch (Scrapy,
  address guard, robots.txt), decode, extract, 1,000 queries (the shapes of
  ``bench_matching``), store (SQLite), in its own process;
* bare ``trafilatura.extract`` (defaults) over the same bytes, in its own process.

Both are whole processes (start-up included), measured by their CPU time (user + system, from
``wait4``: robust on a shared machine) and wall time; the ratio is bare CPU-seconds over
mediamon CPU-seconds (1.0 = the crawl costs no more than extracting alone). The same two
runs over one URL per page give the cost per page with start-up taken out (difference of the
two runs over the difference of pages): the ratio of those is the goal's measure (>= 0.85),
since ``mediamon`` starts Scrapy, SQLAlchemy and 1,000 compiled queries once per crawl, not
once per page. Each side runs ``--rounds`` times (3), and every crawl gets a database of its
own (a copy of one migrated file). The sides of a round run at the same time, each measured
by its own CPU time: on this shared machine the same work costs up to 20 % more CPU from one
minute to the next, and run one after the other (``--apart``) the rounds' ratios spread from
0.75 to 1.02; run together, the slower and faster spells fall on every side alike and they
agree within 0.01-0.02. The medians of the rounds' ratios are the figures to quote.
``--before DIR`` adds a side: the mediamon of another checkout (a ``git worktree`` of an
older revision), for a before/after measured in the same rounds. Also printed: CPU-seconds
per page and the crawl's peak RSS. ``--profile FILE`` runs the crawl under cProfile and
writes its stats (``python -m pstats FILE``).
``--crawl-only --repeat 154 --rss-every 10`` crawls 20,020 URLs and prints the crawl's RSS
at each tenth of its CPU time (is memory flat over many pages?). Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from random import Random
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_matching import SEED, make_queries, organisations, people
from bench.corpus import readability_pages

QUERY_COUNT = 1000
BARE = """
import sys, trafilatura
from pathlib import Path
for path in sys.argv[1:]:
    trafilatura.extract(Path(path).read_bytes())
"""
CLI = "import sys; from scheduler.cli import main; sys.argv[0] = 'mediamon'; main()"


def serve(pages: dict[str, bytes], port: Any) -> None:
    """The page server (a separate process): ``/NAME?r=N`` -> the page NAME as served."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            name = self.path.split("?", 1)[0].strip("/")
            body = pages.get(name)
            if self.path == "/robots.txt" or body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port.value = server.server_address[1]
    server.serve_forever()


def write_config(path: Path) -> None:
    rng = Random(SEED)
    queries = make_queries(QUERY_COUNT, rng, people(rng), organisations(rng))
    lines = ["[organisation]", 'name = "Bench Org"', 'timezone = "UTC"']
    for i, query in enumerate(queries):
        lines += ["[[queries]]", f'name = "q{i:04d}"', f"query = {json.dumps(query)}"]
    lines += [
        "[crawl]",
        'allow_hosts = ["127.0.0.1"]',
        "download_delay = 0",
        "concurrent_per_host = 16",
        "timeout = 60",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def sample_rss(pid: int, every: float, out: list[tuple[float, float]]) -> None:
    """Append (CPU seconds so far, RSS MiB) of process ``pid`` every ``every`` seconds until
    it ends: memory against work done, so growth shows whatever the machine's load."""
    tick = os.sysconf("SC_CLK_TCK")
    while True:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        rss = next(
            (line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")), ""
        )
        if not rss:  # a zombie: it has ended
            return
        out.append(((int(stat[11]) + int(stat[12])) / tick, int(rss) / 1024))
        time.sleep(every)


def run(
    argv: list[str], rss_every: float = 0.0, **kw: Any
) -> tuple[float, float, float, subprocess.CompletedProcess[str]]:
    """(CPU seconds, wall seconds, peak RSS MiB) of one child process, and its result; with
    ``rss_every`` its RSS is also sampled and printed against its CPU time at the end."""
    started = time.perf_counter()
    samples: list[tuple[float, float]] = []
    # output to files, not pipes: a crawl printing more than a pipe holds (its JSON lines
    # over thousands of pages) would block while this waits for it to exit
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr, text=True, **kw)
        if rss_every:
            threading.Thread(
                target=sample_rss, args=(proc.pid, rss_every, samples), daemon=True
            ).start()
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would add every earlier child)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    done = subprocess.CompletedProcess(argv, proc.returncode, out, err)
    cpu = usage.ru_utime + usage.ru_stime
    if samples:
        print("RSS against CPU time (each tenth of the run):")
        for tenth in range(1, 11):
            at = cpu * tenth / 10
            seen = [rss for spent, rss in samples if spent <= at]
            print(f"  {tenth * 10:3d} %  {at:7.1f} CPU-s  RSS {seen[-1] if seen else 0:.0f} MiB")
    return cpu, wall, usage.ru_maxrss / 1024, done


def fresh_databases(
    work: Path, mediamon: list[str], env: dict[str, str], cwd: Path | None = None
) -> Iterator[str]:
    """Database URLs, each a new copy of one SQLite file migrated by the checkout ``cwd``."""
    template = work / f"template-{'before' if cwd else 'now'}.db"
    db = f"sqlite:///{template}"
    upgrade = [*with_db(mediamon, db), "db", "upgrade"]
    subprocess.run(upgrade, check=True, capture_output=True, env=env, cwd=cwd)
    for number in itertools.count():
        copy = work / f"{template.stem}-{number}.db"
        shutil.copyfile(template, copy)
        yield f"sqlite:///{copy}"


def with_db(argv: list[str], db: str) -> list[str]:
    """``argv`` with its ``--db`` value replaced."""
    at = argv.index("--db")
    return [*argv[: at + 1], db, *argv[at + 2 :]]


@dataclass(frozen=True)
class Measure:
    """One side's figures in one round: over all URLs, and over one URL per page."""

    cpu: float
    wall: float
    rss: float
    cpu1: float


def report(figures: list[dict[str, Measure]], n: int, one: int, found: int) -> None:
    """Each round's figures, then the medians of the rounds' ratios (the figures to quote)."""
    names = list(figures[0])
    crawls = [name for name in names if name != "bare"]
    ratios: dict[str, list[float]] = {}

    def per_page(m: Measure) -> float:
        return (m.cpu - m.cpu1) / (n - one)

    for number, got in enumerate(figures, 1):
        bare = got["bare"]
        parts = [f"bare {bare.cpu:.1f} CPU-s"]
        for name in crawls:
            m = got[name]
            ratios.setdefault(f"{name}: whole processes", []).append(bare.cpu / m.cpu)
            part = f"{name} {m.cpu:.1f} CPU-s, whole {bare.cpu / m.cpu:.2f}"
            if n > one:
                ratios.setdefault(f"{name}: per page", []).append(per_page(bare) / per_page(m))
                part += (
                    f", per page {per_page(m) * 1000:.1f} ms = "
                    f"{per_page(bare) / per_page(m):.2f} (start-up "
                    f"{m.cpu1 - one * per_page(m):.1f} CPU-s)"
                )
            parts.append(part)
        if n > one:
            parts[0] += (
                f", per page {per_page(bare) * 1000:.1f} ms (start-up "
                f"{bare.cpu1 - one * per_page(bare):.1f} CPU-s)"
            )
        if "before" in got:
            before, now = got["before"], got["mediamon"]
            ratios.setdefault("now / before: whole processes", []).append(now.cpu / before.cpu)
            if n > one:
                ratios.setdefault("now / before: per page", []).append(
                    per_page(now) / per_page(before)
                )
        print(f"round {number}: " + "; ".join(parts))
    rss = ", ".join(f"{name} {max(g[name].rss for g in figures):.0f} MiB" for name in names)
    print(f"peak RSS: {rss}; {found} mentions")
    for label, values in ratios.items():
        goal = " (goal >= 0.85)" if label.startswith("mediamon") else ""
        if label.startswith("now"):
            goal = " (CPU, < 1: now is cheaper)"
        else:
            label = "bare / " + label
        print(f"median of {len(figures)} round(s), {label}: {statistics.median(values):.2f}{goal}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=7, help="URLs per page")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of both sides, alternating (medians)"
    )
    parser.add_argument(
        "--before",
        default="",
        help="also crawl with the mediamon of this checkout (a `git worktree` of an older "
        "revision), in the same rounds",
    )
    parser.add_argument(
        "--apart",
        action="store_true",
        help="run the sides of a round one after the other (by default they run at the same "
        "time, each one's CPU time its own: the machine's slower and faster spells, 20 %% "
        "between two runs of the same work here, then fall on every side alike)",
    )
    parser.add_argument("--profile", default="", help="cProfile the crawl into this file")
    parser.add_argument(
        "--py-spy", default="", help="sample the crawl with py-spy into this file (collapsed)"
    )
    parser.add_argument(
        "--crawl-only",
        action="store_true",
        help="only the crawl over all URLs (its CPU and peak RSS: RSS over many pages)",
    )
    parser.add_argument(
        "--rss-every",
        type=float,
        default=0.0,
        help="with --crawl-only: sample the crawl's RSS every this many seconds and print it",
    )
    args = parser.parse_args(argv)
    folders = readability_pages()
    if not folders:
        print("skipped: no corpus (../shared/corpus/readability-pages or $MEDIAMON_CORPUS)")
        return 0
    pages = {f.name: (f / "source.html").read_bytes() for f in folders}
    port = multiprocessing.get_context("spawn").Value("i", 0)
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(pages, port), daemon=True
    )
    server.start()
    work = Path(tempfile.mkdtemp(prefix="bench_e2e_"))
    try:
        while not port.value:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port.value}"
        urls = [f"{base}/{name}?r={r}" for r in range(args.repeat) for name in pages]
        config = work / "mediamon.toml"
        write_config(config)
        db = f"sqlite:///{work / 'e2e.db'}"
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        mediamon = [sys.executable, "-c", CLI, "--config", str(config), "--db", db]
        subprocess.run([*mediamon, "db", "upgrade"], check=True, capture_output=True, env=env)
        crawl_argv = [*mediamon, "crawl", "--depth", "0", "--json", *urls]
        if args.profile:
            code = "import cProfile, sys; sys.argv = sys.argv[2:]; sys.argv[0] = 'mediamon'\n"
            code += "from scheduler.cli import main\n"
            code += f"cProfile.run('main()', {args.profile!r})"
            crawl_argv = [sys.executable, "-c", code, "--", "mediamon", *crawl_argv[3:]]
        if args.py_spy:
            spy = str(Path(sys.executable).with_name("py-spy"))
            crawl_argv = [spy, "record", "-f", "raw", "-r", "250", "-o", args.py_spy, "--"]
            crawl_argv += [sys.executable, "-c", CLI, *mediamon[3:], "crawl", "--depth", "0"]
            crawl_argv += ["--json", *urls]
        paths = [str(f / "source.html") for f in folders] * args.repeat
        if args.crawl_only:
            cpu, wall, rss, done = run(crawl_argv, args.rss_every, env=env)
            found = sum(1 for line in done.stdout.splitlines() if line.startswith("{"))
            print(
                f"mediamon crawl of {len(urls)} URLs: exit {done.returncode}, {cpu:.1f} CPU-s "
                f"({cpu / len(urls) * 1000:.1f} ms/page), {wall:.1f} s wall, "
                f"peak RSS {rss:.0f} MiB, {found} mentions"
            )
            return 0
        n = len(urls)
        profiled = bool(args.profile or args.py_spy)
        one = len(pages) if not profiled and args.repeat > 1 else n
        fresh = fresh_databases(work, mediamon, env)
        before = Path(args.before).resolve() if args.before else None
        fresh_before = fresh_databases(work, mediamon, env, before) if before else None

        def bare(count: int) -> tuple[float, float, float, Any]:
            return run([sys.executable, "-c", BARE, *paths[:count]], env=env)

        def crawl(count: int) -> tuple[float, float, float, Any]:
            # every crawl on a database of its own: a second crawl of the same URLs would
            # find its documents stored and do less
            return run(with_db([*crawl_argv[:-n], *urls[:count]], next(fresh)), env=env)

        def crawl_before(count: int) -> tuple[float, float, float, Any]:
            assert fresh_before is not None  # the mediamon of the checkout ``before``
            argv = with_db([*crawl_argv[:-n], *urls[:count]], next(fresh_before))
            return run(argv, env=env, cwd=before)

        sides = {"bare": bare, "mediamon": crawl} | ({"before": crawl_before} if before else {})
        for warm in sides.values():  # file caches, and the language model's cache folder
            warm(1)
        figures: list[dict[str, Measure]] = []
        done = None
        for index in range(1 if profiled else max(1, args.rounds)):
            # which side goes first turns round: a machine that slows down or speeds up
            # during the run weighs on every side
            order = list(sides)[index % len(sides) :] + list(sides)[: index % len(sides)]
            if not args.apart:
                # every side at once: a slower spell of the machine slows them all alike
                with ThreadPoolExecutor(len(sides)) as pool:
                    runs = {name: pool.submit(sides[name], n) for name in order}
                    full = {name: future.result() for name, future in runs.items()}
                    runs = {name: pool.submit(sides[name], one) for name in order if one < n}
                    ones = {name: runs[name].result()[0] if one < n else 0.0 for name in order}
            else:
                full, ones = {}, {}
                for name in order:
                    full[name] = sides[name](n)
                    ones[name] = sides[name](one)[0] if one < n else 0.0
            done = full["mediamon"][3]
            figures.append({name: Measure(*full[name][:3], ones[name]) for name in sides})
        assert done is not None
        if done.returncode not in (0, 1):
            print(done.stderr[-3000:])
            return 1
        found = sum(1 for line in done.stdout.splitlines() if line.startswith("{"))
        size = sum(len(b) for b in pages.values()) / len(pages) / 1024
        print(f"{n} requests ({len(pages)} real pages x {args.repeat}, {size:.0f} KiB mean)")
        report(figures, n, one, found)
        problems = [line for line in done.stderr.splitlines() if line.strip()]
        print(f"stderr lines of the crawl: {len(problems)}")
        for line in problems[:5]:
            print(f"  {line[:160]}")
    finally:
        server.terminate()
        server.join(5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
