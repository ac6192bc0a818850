"""Fixtures for the sample web tests: one server per session on an ephemeral port.

Tests that move the world to another day use ``at_day``, which puts it back to day 1
afterwards, so the shared server is always on day 1 between tests.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from http.client import HTTPMessage
from typing import Any

import pytest

from sampleweb import SampleWeb
from sampleweb.server.client import fetch

Fetch = Callable[..., tuple[int, HTTPMessage, bytes]]


@pytest.fixture(scope="session")
def web() -> Iterator[SampleWeb]:
    sample = SampleWeb(scale="small", day=1, slow_seconds=2.0, hang_seconds=30.0)
    sample.start(0)
    yield sample
    sample.stop()


@pytest.fixture(scope="session")
def truth(web: SampleWeb) -> dict[str, Any]:
    return web.truth()


@pytest.fixture(scope="session")
def get(web: SampleWeb) -> Fetch:
    """``get(url, **kw)``: fetch through the running server (gzip bodies decoded)."""

    def _get(url: str, **kw: Any) -> tuple[int, HTTPMessage, bytes]:
        status, headers, body = fetch(url, port=web.port, **kw)
        if headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return status, headers, body

    return _get


@pytest.fixture
def at_day(web: SampleWeb) -> Iterator[Callable[[int], None]]:
    yield web.set_day
    web.set_day(1)
