"""URL joining and splitting that never raises on hostile input.

``urllib.parse`` raises ``ValueError`` for some strings found in the wild (``http://[::1``,
ports out of range), and a parser of outside pages must not crash on one bad href. These
wrappers turn such URLs into "no URL" (``""`` / ``None``) so callers simply skip them.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urldefrag, urljoin, urlsplit


def join(base: str, reference: str) -> str:
    """``reference`` resolved against ``base`` (stripped), or ``""`` if either is malformed."""
    try:
        return urljoin(base, reference.strip())
    except ValueError:
        return ""


def defrag(url: str) -> str:
    """The URL without its ``#fragment``."""
    try:
        return urldefrag(url.strip())[0]
    except ValueError:
        return url.strip().split("#", 1)[0]


def split(url: str) -> SplitResult | None:
    """``urlsplit`` with the port validated, or ``None`` for a malformed URL."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port
    except ValueError:
        return None
    return parts


def is_http_url(url: str) -> bool:
    """An absolute http(s) URL with a host."""
    parts = split(url)
    return parts is not None and parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
