"""Run every benchmark in bench/ (``make bench``), one process each, and print their figures.

Benchmarks compare ratios measured in the same run, because this machine is shared and noisy;
absolute figures are printed for the record (BENCHMARKS.md), never asserted.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    wanted = set(argv)
    scripts = sorted(p for p in here.glob("bench_*.py") if not wanted or p.stem in wanted)
    failed = 0
    for script in scripts:
        print(f"\n### {script.stem}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=here.parent)
        print(f"(exit {code}, {time.perf_counter() - started:.1f} s)", flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
