"""The comment list of a WordPress post page, read across theme markups.

The post's own HTML is the one route that every WordPress site offers, and the only one that
shows the comment *type* to anonymous visitors: ``comment_class()`` prints the type first
(``comment``, ``pingback``, ``trackback``, plugin types such as ``webmention`` or ``like``) on
each ``<li id="comment-N">``. Themes render the same data very differently (core's html5
``short_ping`` form, pings rendered like comments with a ``[…] excerpt […]`` body, separate
"Trackbacks/Pingbacks" lists with or without type classes, old ``<cite>Pingback by`` themes,
Twenty Ten's ``li-comment-N`` wrapper), so the rules are:

- the type class on the item wins over any printed label (core prints "Pingback:" for
  trackbacks too);
- without a type class, a "Pingback"/"Trackback" label or a ping section decides;
- a comment reading "Reblogged this on <a>…</a>" is a WordPress.com reblog;
- replies nested in an item never leak into their parent's text.

Broken HTML is parsed by lxml's recovering parser; an item that cannot be read is skipped.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from datetime import datetime

from crawler.domain import MentionKind
from crawler.linkbacks.comment_items import find_items, item_comment_id, item_type, own_content
from crawler.linkbacks.markup import (
    Element,
    attr,
    class_pred,
    class_tokens,
    first,
    normalise_space,
    parse_datetime,
    parse_html,
    text_of,
    with_class,
    xpath,
)
from crawler.linkbacks.model import (
    ParsedLinkback,
    Route,
    normalise_name,
    normalise_names,
)
from crawler.linkbacks.reblogs import parse_reblog_comment
from crawler.linkbacks.urls import defrag, join

__all__ = ["parse_comments", "unwrap_ping_excerpt"]

_SAYS = re.compile(r"\s*says\s*:?\s*$", re.IGNORECASE)
_ELLIPSIS = r"(?:…|\.\.\.|&#8230;|&hellip;)"
_WRAPPED = re.compile(rf"^\s*\[{_ELLIPSIS}\]\s*(.*?)\s*\[{_ELLIPSIS}\]\s*$", re.DOTALL)

_META = frozenset(
    [
        "comment-meta",
        "commentmetadata",
        "comment-metadata",
        "comment-author",
        "comment-header",
        "says",
        "vcard",
        "reply",
    ]
)
_CONTENT = (
    "comment-content",
    "comment-text",
    "comment_text",
    "commentcontent",
    "comment-entry",
    "e-content",
)


def unwrap_ping_excerpt(text: str) -> str | None:
    """The excerpt inside WordPress's ``[…] excerpt […]`` wrapping, or ``None`` if unwrapped.

    Accepts the ellipsis as ``…``, ``...`` (very old WordPress) or an unexpanded entity.
    """
    match = _WRAPPED.match(text)
    return normalise_space(match.group(1)) if match else None


def _usable_href(href: str, post_url: str) -> bool:
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:")):
        return False
    absolute = join(post_url, href)
    if not absolute:
        return False
    return defrag(absolute) != defrag(post_url) or "#comment-" not in absolute


def _link(own: Element, post_url: str, exprs: Iterable[str]) -> Element | None:
    for expr in exprs:
        for link in xpath(own, expr):
            if _usable_href(attr(link, "href") or "", post_url):
                return link
    return None


def _body(own: Element) -> Element:
    """The element holding the comment text (or a synthetic one built from its paragraphs)."""
    found = first(own, [with_class(name) for name in _CONTENT])
    if found is not None:
        return found
    body = own.makeelement("div")
    for para in xpath(own, ".//p"):
        if any(set(class_tokens(anc)) & _META for anc in para.iterancestors()):
            continue
        clone = copy.deepcopy(para)
        clone.tail = " "
        body.append(clone)
    return body


def _author(own: Element) -> tuple[str, Element | None]:
    el = first(
        own,
        [
            with_class("comment-author") + "//*" + class_pred("fn"),
            with_class("fn"),
            with_class("p-author") + "//*" + class_pred("p-name"),
            ".//cite",
            with_class("comment-author"),
            with_class("comment-author-name"),
        ],
    )
    if el is None:
        return "", None
    return _SAYS.sub("", text_of(el)), el


def _published(own: Element) -> datetime | None:
    for time in xpath(own, ".//time[@datetime]"):
        found = parse_datetime(attr(time, "datetime"))
        if found is not None:
            return found
    for el in xpath(own, ".//abbr[@title]"):
        found = parse_datetime(attr(el, "title"))
        if found is not None:
            return found
    for el in xpath(own, ".//a[contains(@href, '#comment-')]") + xpath(
        own, with_class("commentmetadata") + " | " + with_class("comment-date")
    ):
        found = parse_datetime(text_of(el))
        if found is not None:
            return found
    return None


def _permalink(post_url: str, comment_id: int | None) -> str:
    base = defrag(post_url)
    return f"{base}#comment-{comment_id}" if comment_id is not None else base


class _Reader:
    """Reads one page's items; holds the page-wide parameters."""

    def __init__(self, post_url: str, org_authors: Iterable[str]) -> None:
        self.post_url = post_url
        self.orgs = normalise_names(org_authors)

    def read(self, item: Element) -> ParsedLinkback | None:
        comment_id = item_comment_id(item)
        own = own_content(item, comment_id)
        if not text_of(own) and not xpath(own, ".//a[@href]"):
            return None
        kind = item_type(item, own, comment_id)
        if kind in (MentionKind.PINGBACK, MentionKind.TRACKBACK):
            return self._ping(own, kind, comment_id)
        if kind is MentionKind.WEBMENTION:
            return self._webmention(item, own, comment_id)
        return self._comment(item, own, comment_id)

    def _ping(
        self, own: Element, kind: MentionKind, comment_id: int | None
    ) -> ParsedLinkback | None:
        link = _link(
            own,
            self.post_url,
            [
                with_class("url", "a") + "[@href]",
                ".//cite//a[@href]",
                with_class("comment-author") + "//a[@href]",
                ".//a[@href]",
            ],
        )
        if link is None:
            return None
        text = text_of(_body(own))
        excerpt = unwrap_ping_excerpt(text)
        return ParsedLinkback(
            kind=kind,
            source_url=join(self.post_url, (attr(link, "href") or "").strip()),
            route=Route.HTML,
            target_url=defrag(self.post_url),
            comment_id=comment_id,
            title=text_of(link),
            excerpt=excerpt if excerpt is not None else text,
            published=_published(own),
        )

    def _webmention(
        self, item: Element, own: Element, comment_id: int | None
    ) -> ParsedLinkback | None:
        author, author_el = _author(own)
        author_link = (
            _link(author_el, self.post_url, [".//a[@href]"]) if author_el is not None else None
        )
        author_url = (
            join(self.post_url, attr(author_link, "href") or "") if author_link is not None else ""
        )
        source = _link(
            own,
            self.post_url,
            [
                with_class("u-url", "a") + "[@href]",
                with_class("u-repost-of", "a") + "[@href]",
                with_class("comment-metadata") + "//a[@href]",
            ],
        )
        source_url = join(self.post_url, attr(source, "href") or "") if source is not None else ""
        return ParsedLinkback(
            kind=MentionKind.WEBMENTION,
            source_url=source_url or author_url or _permalink(self.post_url, comment_id),
            route=Route.HTML,
            target_url=defrag(self.post_url),
            comment_id=comment_id,
            title=text_of(source) if source is not None else "",
            author=author,
            author_url=author_url,
            excerpt=text_of(_body(own)),
            published=_published(own),
            by_organisation=self._by_org(item, author),
        )

    def _comment(self, item: Element, own: Element, comment_id: int | None) -> ParsedLinkback:
        author, author_el = _author(own)
        author_link = (
            _link(author_el, self.post_url, [".//a[@href]"]) if author_el is not None else None
        )
        if author_link is None and author_el is not None and author_el.tag.lower() == "a":
            author_link = author_el
        author_url = (
            join(self.post_url, (attr(author_link, "href") or "").strip())
            if author_link is not None
            else ""
        )
        body = _body(own)
        published = _published(own)
        by_org = self._by_org(item, author)
        target = defrag(self.post_url)
        reblog = parse_reblog_comment(body, self.post_url)
        if reblog is not None:
            return ParsedLinkback(
                kind=MentionKind.REBLOG,
                source_url=reblog.url,
                route=Route.HTML,
                target_url=target,
                comment_id=comment_id,
                author=author,
                author_url=author_url,
                site_name=reblog.blog_name,
                note=reblog.note,
                published=published,
                by_organisation=by_org,
            )
        return ParsedLinkback(
            kind=MentionKind.COMMENT,
            source_url=_permalink(self.post_url, comment_id),
            route=Route.HTML,
            target_url=target,
            comment_id=comment_id,
            author=author,
            author_url=author_url,
            excerpt=text_of(body),
            published=published,
            by_organisation=by_org,
        )

    def _by_org(self, item: Element, author: str) -> bool:
        if "bypostauthor" in class_tokens(item):
            return True
        return bool(author) and normalise_name(author) in self.orgs


def parse_comments(
    html: bytes | str,
    post_url: str,
    *,
    org_authors: Iterable[str] = (),
    content_type: str | None = None,
) -> list[ParsedLinkback]:
    """Every comment, ping, reblog and webmention in a post page's comment section.

    ``post_url`` is the page's final URL (relative links resolve against it; comment
    permalinks are built from it). ``org_authors`` are the organisation's author names: their
    comments get ``by_organisation=True``, as do items with the ``bypostauthor`` class.
    Items come in document order, once each (by comment id, else by kind and source).
    """
    doc = parse_html(html, content_type)
    reader = _Reader(post_url, org_authors)
    found: list[ParsedLinkback] = []
    seen: set[object] = set()
    for item in find_items(doc):
        record = reader.read(item)
        if record is None:
            continue
        key: object = (
            record.comment_id
            if record.comment_id is not None
            else (record.kind, record.source_url, record.title)
        )
        if key in seen:
            continue
        seen.add(key)
        found.append(record)
    return found
