"""``clean_text``: spaces collapsed within lines, blank lines collapsed, whatever the line
breaks (``splitlines``' whole set) and spaces (Unicode ones included)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.press.htmltext import clean_text

_SPACE = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")
PIECES = [
    "a",
    "b",
    "é",
    " ",
    "  ",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\f",
    "\v",
    "\x1c",
    "\x85",
    "\u2028",
    "\xa0",
    "\u3000",
    "\n\n",
]


def per_line(text: str) -> str:
    """The definition: each line's runs of spaces collapsed, then blank lines collapsed."""
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    return _LINES.sub("\n\n", "\n".join(lines)).strip()


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_clean_text_is_the_per_line_definition(text: str) -> None:
    assert clean_text(text) == per_line(text)


def test_clean_text_examples() -> None:
    assert clean_text("  A \t story\r\nof  two\x0blines \n\n\n\nend ") == (
        "A story\nof two\nlines\n\nend"
    )
    assert clean_text("\xa0word\u3000") == "word"
