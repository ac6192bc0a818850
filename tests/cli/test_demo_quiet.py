"""``mediamon demo`` at default verbosity: the whole cycle, and no framework chatter.

Scrapy's RedirectMiddleware used to warn on every crawl that no RefererMiddleware was there
(mediamon sends no Referer on purpose): three warnings on every demo. Handled pages are
reasons in the output, never tracebacks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CLI = "import sys; from scheduler.cli import main; sys.argv[0] = 'mediamon'; main()"


def test_demo_prints_no_warnings_or_tracebacks(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CLI, "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    assert "WARNING" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "RefererMiddleware" not in done.stdout + done.stderr
