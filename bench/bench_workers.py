"""Queue-mode benchmark (#19): pages/s through the whole pipeline with 1 and 2 worker
processes, and the queue's own overhead per run against embedded mode.

(a) The large sample world's benchmark papers (``SITES`` of them, ``PER_SITE`` articles each,
    1,000 queries: ``bench_crawl``'s config) are crawled as sites in queue mode: one message
    per site (one host group each), with 1 and then 2 ``mediamon worker`` processes (one
    thread each) on the same corpus, in one run of this script. Pages/s is the pages the runs
    read over the wall time from the first message sent to the last run row finished. Goal:
    2 workers >= 1.8 x 1 worker on this 2-core machine (the sample web serves from a thread
    of this process, so it competes for the same two cores).
(b) Overhead: ``RUNS`` one-page site crawls, one after another, embedded (``run_in_child``,
    as the scheduler runs them) and queued to one idle worker; the difference per run is
    what the queue adds (enqueue, Redis, the worker's checks, the row written once more).

The database is a fresh schema on the local PostgreSQL when it answers (several workers
share it), else SQLite with WAL. Redis is 127.0.0.1:6379 under a namespace of its own,
removed at the end. Prints figures; asserts nothing.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
from sqlalchemy import create_engine, text

from bench.bench_crawl import bench_config
from crawler import clock
from crawler.config import Config, load_config
from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.runs import runs_by_id
from sampleweb.server.router import SampleWeb
from scheduler.queue.broker import build_broker, redis_client
from scheduler.queue.enqueue import enqueue_groups, wait_for_runs
from scheduler.queue.groups import site_groups
from scheduler.runner import run_in_child

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SITES = 24
PER_SITE = 40
RUNS = 8


@contextmanager
def database(work: Path, label: str) -> Iterator[str]:
    """A fresh, migrated database: a PostgreSQL schema if the server answers, else SQLite."""
    schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    except Exception:
        admin.dispose()
        admin = None  # type: ignore[assignment]
        url = f"sqlite:///{work / (label + '.db')}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def with_queue(path: Path, prefix: str) -> Config:
    text_ = path.read_text(encoding="utf-8")
    text_ += f'\n[queue]\nurl = "{REDIS_URL}"\nprefix = "{prefix}"\n'
    text_ += "\n[scheduler]\ncrawl_time_limit_seconds = 1800\nstop_grace_seconds = 5\n"
    path.write_text(text_, encoding="utf-8")
    return load_config(path)


def start_workers(path: Path, db_url: str, count: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "scheduler.cli", "--config", str(path), "--db", db_url,
             "worker", "--threads", "1", "--flows", "sites"],
            cwd=ROOT,
        )
        for _ in range(count)
    ]  # fmt: skip


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(120)


def wait_registered(client: redis.Redis, prefix: str, count: int) -> None:
    while int(client.hlen(f"{prefix}:workers")) < count:  # type: ignore[arg-type]
        time.sleep(0.2)


def queued(config: Config, db_url: str, names: list[str], workers: int) -> tuple[float, int]:
    """Seconds from the first message to the last finished row, and the pages read."""
    path = Path(config.path)
    client = redis_client(config.queue)
    broker = build_broker(config.queue)
    engine = make_engine(db_url)
    procs = start_workers(path, db_url, workers)
    try:
        wait_registered(client, config.queue.prefix, workers)
        groups = site_groups(config, engine, clock.now(), names)
        started = time.perf_counter()
        done = enqueue_groups(broker, client, config, engine, groups, clock.now())
        run_ids = [d.run_id for d in done if d.run_id is not None]
        wait_for_runs(engine, run_ids, poll_seconds=0.1)
        seconds = time.perf_counter() - started
        with session_scope(engine) as session:
            rows = runs_by_id(session, run_ids).values()
            failed = [r.error for r in rows if r.exit_status]
            pages = sum(int((r.stats or {}).get("pages", 0)) for r in rows)
        if failed:
            raise SystemExit(f"runs failed: {failed[:3]}")
    finally:
        stop_workers(procs)
        broker.close()
        client.close()
        engine.dispose()
    return seconds, pages


def embedded_runs(config: Config, db_url: str, names: list[str]) -> float:
    started = time.perf_counter()
    for name in names:
        report = run_in_child("crawl", config, db_url, time_limit=600, source_names=[name])
        if report.exit_status:
            raise SystemExit(f"embedded run failed: {report.error}")
    return time.perf_counter() - started


def queued_runs(config: Config, db_url: str, names: list[str]) -> float:
    """The same runs one after another through the queue (one message at a time)."""
    client = redis_client(config.queue)
    broker = build_broker(config.queue)
    engine = make_engine(db_url)
    procs = start_workers(Path(config.path), db_url, 1)
    try:
        wait_registered(client, config.queue.prefix, 1)
        started = time.perf_counter()
        for name in names:
            groups = site_groups(config, engine, clock.now(), [name])
            done = enqueue_groups(broker, client, config, engine, groups, clock.now())
            wait_for_runs(engine, [d.run_id for d in done if d.run_id], poll_seconds=0.05)
        return time.perf_counter() - started
    finally:
        stop_workers(procs)
        broker.close()
        client.close()
        engine.dispose()


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench_workers_"))
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        print(f"skipped: Redis at {REDIS_URL} unreachable: {exc}")
        return 0
    web = SampleWeb(scale="large", day=1)
    web.start(0)
    try:
        path = work / "bench.toml"
        names = bench_config(web, path, PER_SITE)[:SITES]
        config = with_queue(path, prefix)
        rates = {}
        for workers in (1, 2):
            with database(work, f"w{workers}") as db_url:
                seconds, pages = queued(config, db_url, names, workers)
            rates[workers] = pages / seconds
            print(
                f"{workers} worker process(es): {SITES} site runs, {pages:,} pages in "
                f"{seconds:.1f} s = {rates[workers]:.1f} pages/s",
                flush=True,
            )
        print(f"2 workers / 1 worker = {rates[2] / rates[1]:.2f}x (goal >= 1.8x)")
        small = work / "small.toml"
        small_names = bench_config(web, small, 1)[:RUNS]
        small_config = with_queue(small, prefix + "s")
        with database(work, "embedded") as db_url:
            embedded = embedded_runs(small_config, db_url, small_names)
        with database(work, "queued") as db_url:
            through_queue = queued_runs(small_config, db_url, small_names)
        print(
            f"overhead: {RUNS} one-page site runs one after another: embedded "
            f"{embedded / RUNS:.2f} s/run, queued {through_queue / RUNS:.2f} s/run, "
            f"the queue adds {(through_queue - embedded) / RUNS:+.2f} s/run"
        )
    finally:
        web.stop()
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)
        client.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
