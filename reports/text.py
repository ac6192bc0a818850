"""Cleaning and clipping text from the web before it is shown.

Titles, site names and contexts come from pages we do not control: they carry runs of
whitespace, control characters, bidi overrides that would flip the surrounding layout, and
occasionally a whole article in the title tag. Escaping (in the templates) makes them safe;
this makes them readable.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """One line of text: control characters and bidi overrides removed, whitespace collapsed.
    (Direction is left to ``dir="auto"`` on the element, which isolates it safely.)"""
    return _SPACE.sub(" ", _CONTROL.sub("", text)).strip()


def clip(text: str, limit: int) -> str:
    """``clean(text)`` cut to at most ``limit`` characters, at a word break when one is near,
    with an ellipsis when anything was cut."""
    text = clean(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


def safe_url(url: str) -> str:
    """The URL if it is an http(s) link, else ``""``: escaping does not stop a
    ``javascript:`` href, so links from the web are only made for web URLs."""
    url = url.strip()
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    return url if scheme in ("http", "https") and not _CONTROL.search(url) else ""
