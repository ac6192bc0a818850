"""What the browser tests share: Debian's Chromium (never a downloaded one) and the
axe-core accessibility check (vendored from npm, tests only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
#: WCAG 2 A and AA (labels, headings, contrast, ...) and axe's best practices.
AXE_RULES = "['wcag2a', 'wcag2aa', 'best-practice']"


def axe_check(tab: Any) -> None:
    """No axe-core violation of WCAG 2 A/AA or best practice on the tab's page."""
    tab.evaluate(AXE.read_text(encoding="utf-8"))
    result = tab.evaluate(f"async () => await axe.run(document, {{runOnly: {AXE_RULES}}})")
    problems = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == [], f"{tab.url}: {problems}"
