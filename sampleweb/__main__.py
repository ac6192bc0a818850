"""``python -m sampleweb``: serve the sample web until SIGINT/SIGTERM.

Writes the ground truth (``--truth``) and a ready mediamon config (``--config-out``) once the
port is known, then prints ``serving on http://127.0.0.1:PORT`` (flushed) so a parent process
can wait for that line and read both files.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from types import FrameType

from sampleweb.server.router import SampleWeb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sampleweb", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (0: pick a free one)"
    )
    parser.add_argument("--scale", choices=("small", "large"), default="small")
    parser.add_argument("--day", type=int, default=1, help="world day (1 = default snapshot)")
    parser.add_argument("--seed", default="mediamon", help="generation seed")
    parser.add_argument("--truth", help="write the ground truth (JSON) to this file")
    parser.add_argument(
        "--config-out", help="write a mediamon TOML config for this world to this file"
    )
    parser.add_argument(
        "--config-trouble", action="store_true", help="include the misbehaving feeds as sources"
    )
    parser.add_argument(
        "--archive",
        action="store_true",
        help="the blog has years of older posts too, and a second blog on WordPress.com (#16)",
    )
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument("--hang-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    if args.day < 1:
        parser.error("--day must be >= 1")

    # handlers go in before the port is announced: a signal sent right after the line counts
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    web = SampleWeb(
        scale=args.scale,
        archive=args.archive,
        day=args.day,
        seed=args.seed,
        slow_seconds=args.slow_seconds,
        hang_seconds=args.hang_seconds,
    )
    try:
        port = web.start(args.port)
    except OSError as exc:
        print(f"sampleweb: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    if args.truth:
        web.write_truth(args.truth)
    if args.config_out:
        web.write_config(args.config_out, include_trouble=args.config_trouble)
    print(f"serving on http://127.0.0.1:{port}", flush=True)  # noqa: T201
    print(  # noqa: T201
        f"sampleweb: {args.scale} world, day {args.day}, "
        f"ready in {time.monotonic() - started:.2f}s",
        file=sys.stderr,
        flush=True,
    )

    while not stop.wait(0.5):
        pass
    web.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
