"""The HTML digest as a real browser shows it: headless Chromium at 600 px wide.

With UPDATE_GOLDEN=1 a screenshot is also saved as docs/digest-screenshot.png (for the
README).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from reports.send import render_digest
from tests.reports.png import crop, non_white, read_png
from tests.reports.sample import DAY, NOW, seed

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
HEADINGS = (
    "At a glance",
    "Last 14 days",
    "Linkbacks to our posts",
    "Press coverage",
    "New outlets",
    "Late arrivals",
    "Monitoring health",
)
SCREENSHOT = Path(__file__).parents[2] / "docs" / "digest-screenshot.png"


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.mark.browser
def test_digest_renders_in_chromium(sqlite_engine: Engine, tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), "chromium is not installed (make browser)"
    config = seed(sqlite_engine)
    page = tmp_path / "digest.html"
    page.write_text(render_digest(config, sqlite_engine, DAY, NOW).html, encoding="utf-8")

    shot = tmp_path / "digest.png"
    taken = chromium(tmp_path, "--window-size=600,2000", f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), taken.stderr
    image = read_png(shot.read_bytes())
    assert (image.width, image.height) == (600, 2000)
    # Not blank: the header band, text and rules all the way down.
    assert non_white(image) > 0.05 * image.width * image.height
    for top in (700, 1350):
        assert non_white(crop(image, top, top + 600)) > 0.02 * image.width * 600
    header = image.pixel(300, 40)
    assert header[:3] == (0x0F, 0x2A, 0x44)  # the dark header band is there

    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    for heading in HEADINGS:
        assert f">{heading}</h2>" in dom.stdout, heading
    assert "<script" not in dom.stdout
    assert "اتحاد أوربيس يدعم المعايير المفتوحة" in dom.stdout

    if os.environ.get("UPDATE_GOLDEN") == "1":
        # For the README: a little wider, so the 600 px card shows with its margins.
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        wide = chromium(
            tmp_path, "--window-size=680,2500", f"--screenshot={SCREENSHOT}", page.as_uri()
        )
        assert SCREENSHOT.exists(), wide.stderr
