"""The sample web: a deterministic local web of sites for mediamon's tests, benchmarks and demo.

``SampleWeb(scale="small"|"large", day=1)`` generates the world from a seed and serves every
site on one port of 127.0.0.1, dispatching on the Host header. ``.truth()`` is the ground truth
a perfect run would report. See ``python -m sampleweb --help`` for the CLI.
"""

from __future__ import annotations

from sampleweb.pages.hosts import world_hosts
from sampleweb.server.router import SampleWeb
from sampleweb.truth.build import build_truth
from sampleweb.world.generate import build_world

__all__ = ["SampleWeb", "build_truth", "build_world", "world_hosts"]
