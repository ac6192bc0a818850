"""Measure the sample web's throughput: server in one process, clients in others.

    .venv/bin/python -m tests.sampleweb.measure_rps [--clients 4] [--seconds 5] [--scale small]

Starts ``python -m sampleweb --port 0`` as a child process, then runs N client
processes, each looping over a mix of the world's URLs (feeds, articles, blog pages, posts)
on one keep-alive connection, and prints requests per second. Not a pytest test (the figure
depends on the machine); the test suite only checks a low floor.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit


def client(
    port: int,
    urls: list[str],
    seconds: float,
    conditional: bool,
    out: multiprocessing.Queue[tuple[int, int]],
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    etags: dict[str, str] = {}
    count = errors = 0
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        url = urls[i % len(urls)]
        i += 1
        parts = urlsplit(url)
        headers = {"Host": parts.netloc, "Accept-Encoding": "gzip"}
        if conditional and url in etags:
            headers["If-None-Match"] = etags[url]
        conn.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers
        )
        resp = conn.getresponse()
        resp.read()
        if resp.status in (200, 304):
            count += 1
            if resp.getheader("ETag"):
                etags[url] = resp.getheader("ETag") or ""
        else:
            errors += 1
    conn.close()
    out.put((count, errors))


def run(
    port: int, urls: list[str], clients: int, seconds: float, conditional: bool
) -> tuple[float, int]:
    queue: multiprocessing.Queue[tuple[int, int]] = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(
            target=client, args=(port, urls[k::clients] or urls, seconds, conditional, queue)
        )
        for k in range(clients)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    total = sum(r[0] for r in results)
    return total / seconds, sum(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--scale", default="small")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        truth_file = Path(tmp) / "truth.json"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sampleweb",
                "--port",
                "0",
                "--scale",
                args.scale,
                "--truth",
                str(truth_file),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            m = re.search(r":(\d+)$", server.stdout.readline().strip())
            assert m
            port = int(m.group(1))
            truth = json.loads(truth_file.read_text())
            urls = [f["url"] for f in truth["feeds"]][:400]
            urls += [m["url"] for m in truth["mentions"] if m["day"] == 1][:200]
            urls += [p["url"] for p in truth["posts"] if p["day"] == 1]
            for label, conditional in (
                ("full responses", False),
                ("conditional (mostly 304)", True),
            ):
                rps, errors = run(port, urls, args.clients, args.seconds, conditional)
                print(
                    f"{label}: {rps:,.0f} req/s with {args.clients} client processes "
                    f"over {len(urls)} URLs ({errors} errors)"
                )
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
