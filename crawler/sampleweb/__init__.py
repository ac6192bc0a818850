"""The sample web: a deterministic local web of sites for mediamon's tests, benchmarks and demo.

``SampleWeb(scale="small"|"large", day=1)`` generates the world from a seed and serves every
site on one port of 127.0.0.1, dispatching on the Host header. ``.truth()`` is the ground truth
a perfect run would report. See ``python -m crawler.sampleweb --help`` for the CLI.
"""

from __future__ import annotations

from crawler.sampleweb.app import SampleWeb
from crawler.sampleweb.generate import build_world
from crawler.sampleweb.hosts import world_hosts
from crawler.sampleweb.truth import build_truth

__all__ = ["SampleWeb", "build_truth", "build_world", "world_hosts"]
