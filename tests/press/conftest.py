"""Fixtures of the press tests: the sample web with its own written config, and databases.

The config is the one the sample web writes (``write_config``: its sources, queries, own blog
and host map), with pacing off and short timeouts, because every host is local.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sampleweb.server.router import SampleWeb
from sampleweb.truth.config_file import config_toml

CRAWL_EXTRA = """download_delay = 0
concurrent_per_host = 16
timeout = 5
"""


def sample_config(web: SampleWeb, path: Path) -> Path:
    """The sample web's own config for ``web`` (as ``python -m sampleweb
    --config-out`` writes it), tuned for a local test run."""
    text = config_toml(web.world, web.port).replace("[crawl]\n", "[crawl]\n" + CRAWL_EXTRA, 1)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_web() -> Iterator[SampleWeb]:
    """A small sample world of this module's own (tests here move its day)."""
    web = SampleWeb(scale="small", day=1)
    web.start(0)
    yield web
    web.stop()
