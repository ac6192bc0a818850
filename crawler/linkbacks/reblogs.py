"""WordPress.com reblogs, seen from both ends.

A reblog never arrives as a pingback. On the original post it is an ordinary comment whose
text is ``Reblogged this on <a href=REBLOG>BLOG</a>.`` or ``… and commented:`` plus the
reblogger's note; on the reblogging blog the post body sits in ``div.wpcom-reblog-snapshot``
with ``p.reblog-source`` linking back to the original and ``div.reblogger-note`` holding the
note. Both markups are read here so the comment parsers, the feed parser and source
verification agree on what a reblog is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.linkbacks.markup import (
    Element,
    attr,
    first,
    normalise_space,
    text_of,
    with_class,
)
from crawler.linkbacks.urls import is_http_url, join

_REBLOGGED = re.compile(r"^\s*reblogged this on\b", re.IGNORECASE)
_COMMENTED = re.compile(r"\band commented\s*:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReblogComment:
    """The "Reblogged this on …" comment left on the original post."""

    url: str  # the reblog post on the reblogger's blog
    blog_name: str
    note: str  # the reblogger's words after "and commented:", or ""


@dataclass(frozen=True, slots=True)
class ReblogSnapshot:
    """The reblog markup on the reblogger's own page."""

    original_url: str  # "" when the page names no source link
    note: str


def is_reblog_text(text: str) -> bool:
    """Does a comment text read like a WordPress.com reblog notice?"""
    return bool(_REBLOGGED.match(text))


def parse_reblog_comment(content: Element, base_url: str = "") -> ReblogComment | None:
    """Read a reblog notice from a comment's content element; ``None`` if it is not one.

    The notice must carry the link to the reblog: without it there is no source to record,
    and the comment stays an ordinary comment.
    """
    text = text_of(content)
    if not is_reblog_text(text):
        return None
    anchors = [a for a in content.iter("a") if attr(a, "href")]
    if not anchors:
        return None
    anchor = anchors[0]
    href = (attr(anchor, "href") or "").strip()
    url = join(base_url, href) if base_url else href
    if not is_http_url(url):
        return None
    note = ""
    match = _COMMENTED.search(text)
    if match:
        note = normalise_space(text[match.end() :])
    return ReblogComment(url=url, blog_name=text_of(anchor), note=note)


def parse_reblog_snapshot(doc: Element, base_url: str) -> ReblogSnapshot | None:
    """Read ``div.wpcom-reblog-snapshot`` markup from a reblogger's page, if present."""
    root = first(doc, [with_class("wpcom-reblog-snapshot")])
    scope = root if root is not None else doc
    source = first(
        scope,
        [
            with_class("reblog-source", "p") + "//a[@href]",
            with_class("reblog-source") + "//a[@href]",
        ],
    )
    if root is None and source is None:
        return None
    original = ""
    if source is not None:
        original = join(base_url, (attr(source, "href") or "").strip())
    note_el = first(scope, [with_class("reblogger-note-content"), with_class("reblogger-note")])
    return ReblogSnapshot(original_url=original, note=text_of(note_el))
