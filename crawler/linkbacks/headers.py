"""HTTP response headers as the discovery and verification rules need them.

Endpoint discovery depends on details a dict of headers loses: a header may be repeated (two
``Link`` lines, two ``X-Pingback`` lines where the first wins), names are case-insensitive,
and Scrapy hands over bytes. So headers travel as a list of ``(name, value)`` pairs, and these
helpers read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeAlias

HeaderPairs: TypeAlias = Iterable[tuple[str | bytes, str | bytes]]
Headers: TypeAlias = HeaderPairs | Mapping[str, str]


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def header_pairs(headers: Headers | None) -> list[tuple[str, str]]:
    """Headers as ``(lowercased name, value)`` pairs in their original order."""
    if headers is None:
        return []
    items: Iterable[tuple[str | bytes, str | bytes]]
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(_text(name).strip().lower(), _text(value).strip()) for name, value in items]


def header_values(headers: Headers | None, name: str) -> list[str]:
    """Every value of the header ``name`` (case-insensitive), in order."""
    wanted = name.lower()
    return [value for key, value in header_pairs(headers) if key == wanted]


def first_header(headers: Headers | None, name: str) -> str | None:
    """The first value of the header ``name``, or ``None``."""
    values = header_values(headers, name)
    return values[0] if values else None


def media_type(headers: Headers | None) -> str:
    """The lowercased media type of ``Content-Type`` (``""`` when absent)."""
    value = first_header(headers, "content-type") or ""
    return value.split(";", 1)[0].strip().lower()


def content_type_param(value: str | None, param: str) -> str | None:
    """A parameter (e.g. ``charset``) of a Content-Type value, unquoted, or ``None``."""
    if not value:
        return None
    for part in value.split(";")[1:]:
        key, sep, val = part.partition("=")
        if sep and key.strip().lower() == param:
            return val.strip().strip('"').strip("'") or None
    return None


def is_html_type(mtype: str) -> bool:
    """HTML or XHTML; an absent media type counts as HTML (sniffing is the safe default)."""
    return mtype in ("", "text/html", "application/xhtml+xml")
