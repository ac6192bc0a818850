"""A stand-in crawl child for runner tests: ``ok``, ``fail``, ``crash`` or ``hang``."""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    mode = sys.argv[1]
    data = sys.stdin.read()
    if mode == "ok":
        sys.stdout.write(json.dumps({"fetched": 3, "echo": len(data)}) + "\n")
        return 0
    if mode == "fail":
        sys.stdout.write(json.dumps({"error": "the feed was on fire"}) + "\n")
        return 1
    if mode == "crash":
        raise SystemExit(3)
    time.sleep(600)  # hang: the runner must kill it
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
