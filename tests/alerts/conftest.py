"""Fixtures for the alert tests: a real webhook sink."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alerts.sink import Sink, start_sink, stop_sink


@pytest.fixture
def sink() -> Iterator[Sink]:
    s = start_sink()
    yield s
    stop_sink(s)
