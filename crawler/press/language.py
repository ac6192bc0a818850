"""A page's language: what the page declares, what the server says, else what its text is.

Queries filter on it (``lang:fr``), so a wrong code hides coverage. The order:

1. the page's own declaration (``<html lang>``), when it is a well-formed language tag;
2. the server's ``Content-Language`` header (its first tag);
3. the text itself, by py3langid (a naive Bayes model of 97 languages shipped inside the
   package: nothing is downloaded, ~0.2 ms a page), when the text has enough words and the
   model is confident (:data:`MIN_CONFIDENCE`);
4. otherwise the source's declared language (``[[sources]] language``), else "" (unknown:
   ``lang:`` never matches it). A page in a language the model does not know comes out
   with a low confidence, so as unknown, not as a wrong guess.

Codes are lower case with ``-`` (``pt-br``), as ``lang:`` compares them. Pure; the model is
loaded once per process, on first use, from a decompressed copy on disk that every process
maps (:mod:`crawler.press.langmodel`: 0.6 CPU-s less per process).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

#: A BCP 47-shaped tag: a 2-3 letter language, then subtags.
_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")
#: Fewer words than this are too few to tell a language by.
MIN_WORDS = 8
#: The detector's normalised probability below which its guess is not taken.
MIN_CONFIDENCE = 0.8
#: Characters of text the detector reads: on the 130 readability pages 1,000 give the same
#: answer as 3,000 on every page, at half the cost (its feature count is a Python loop over
#: the bytes; BENCHMARKS.md, #14).
SAMPLE_CHARS = 1000


def language_tag(value: str) -> str:
    """``value`` as a lower-case language tag ("" when it is not one)."""
    tag = value.strip().split(",", 1)[0].split(";", 1)[0].strip().lower().replace("_", "-")
    return tag if _TAG.match(tag) and len(tag) <= 20 else ""


@cache
def _identifier() -> Any:
    # Imported on first use: numpy and py3langid are not needed before a text is detected.
    from crawler.press.langmodel import load_identifier

    return load_identifier()


def detect_language(text: str) -> str:
    """The language of ``text`` by its words ("" when too short or not confident)."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.split()) < MIN_WORDS:
        return ""
    code, confidence = _identifier().classify(sample)
    return str(code) if confidence >= MIN_CONFIDENCE else ""


def page_language(declared: str, header: str, text: str, default: str = "") -> str:
    """The page's language code (see the module docstring for the order)."""
    return (
        language_tag(declared)
        or language_tag(header)
        or detect_language(text)
        or language_tag(default)
    )
