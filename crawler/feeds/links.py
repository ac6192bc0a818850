"""Links and text of feed entries: absolute, bounded, canonical URLs and plain text from the
HTML that feeds carry.

Canonical URLs come from ``crawler.matching.urls.canonicalize_url`` so that the document key a
feed entry gets is the same one a crawl or a linkback of the same page would get.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urljoin, urlsplit

from crawler.matching.urls import canonicalize_url

#: Longer URLs are dropped: they are tracking monsters or garbage (Media Cloud ``MAX_URL``).
MAX_URL_LENGTH = 2048

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
#: A tag starts with a letter, ``/``, ``!`` or ``?``: "a < b and c > d" is text, not a tag.
_TAG = re.compile(r"<[A-Za-z/!?][^>]*>")
#: Inline elements join the text around them ("<b>W</b>ord" is one word); others separate.
_INLINE = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|font|i|kbd|mark|q|s|samp|small|span|strong"
    r"|sub|sup|time|u|var|wbr)\b[^>]*>",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
_WP_ID = re.compile(r"^\d{1,10}$")


def absolute_link(link: str, base: str) -> str:
    """``link`` made absolute against ``base``; "" when it is not a usable http(s) URL."""
    link = (link or "").strip()
    if not link:
        return ""
    try:
        url = urljoin(base, link) if base else link
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    if len(url) > MAX_URL_LENGTH:
        return ""
    return url


def canonical(url: str) -> str:
    """The document key for ``url`` (see crawler.matching.urls)."""
    return canonicalize_url(url)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: scripts dropped, inline tags removed, other tags
    replaced by spaces, entities decoded once, whitespace collapsed. A regex pass, not a DOM
    parse, because feed summaries are small and this runs once per entry on every changed
    feed (performance-ceilings §3)."""
    if not markup:
        return ""
    if "<" in markup:
        markup = _TAG.sub(" ", _INLINE.sub("", _SCRIPT.sub(" ", markup)))
    return _SPACE.sub(" ", html.unescape(markup)).strip()


def plain_text(value: str) -> str:
    """A text-typed value (an RSS or Atom ``type="text"`` title) as stored: whitespace
    collapsed, nothing removed. ``<`` in such a title is a character, not markup, and its
    entities were already decoded once by the XML parser."""
    return _SPACE.sub(" ", value).strip() if value else ""


def wordpress_post_id(guid: str) -> int | None:
    """The WordPress post id in a guid such as ``https://blog.example.org/?p=123``."""
    if "?" not in guid:
        return None
    try:
        query = parse_qs(urlsplit(guid).query)
    except ValueError:
        return None
    for name in ("p", "page_id"):
        values = query.get(name)
        if values and _WP_ID.match(values[0]):
            return int(values[0])
    return None
