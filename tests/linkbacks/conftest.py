"""Shared helpers for the linkback parser tests: golden inputs live in tests/data/linkbacks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "linkbacks"


@pytest.fixture
def data() -> Callable[[str], bytes]:
    """Read a golden input file by name."""

    def read(name: str) -> bytes:
        return (DATA / name).read_bytes()

    return read
